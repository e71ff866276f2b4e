"""postloan: the post-loan (贷后) risk warehouse."""

__version__ = "0.1.0"
