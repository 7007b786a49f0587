"""MNP Chatbot: answers Japanese customers' questions about mobile number portability."""

__version__ = "0.1.0"
