"""topicwatch: find and follow the topics in a news archive.

Public API: ``TopicModel`` (scikit-learn shaped estimator over texts) and ``Archive`` (the archive
file that the command line works on).
"""

from .archive import Archive, FitReport, IngestReport
from .model import Topic, TopicModel
from .readers import ReaderOptions
from .records import Article, Reject

__all__ = ["Archive", "Article", "FitReport", "IngestReport", "ReaderOptions", "Reject", "Topic", "TopicModel"]
__version__ = "0.1.0"
