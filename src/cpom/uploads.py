"""Uploads stop at the bound instead of being spooled whole, then refused.

Django writes an uploaded file to memory or to a temporary file as it arrives, and the view sees its size only
once it is all there: a 5 GB upload fills the disk before any check runs. This handler, first in
``FILE_UPLOAD_HANDLERS``, counts each file's bytes as they come; past ``CPOM_MAX_UPLOAD_BYTES`` it drops what
the storing handlers already hold and passes nothing more on. The rest of the request is still read (and
thrown away), so the form's other fields arrive and the page can answer; the view receives an
:class:`OversizedUpload` in place of the file, whose size says it is too large and which holds no content.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """What is left of a file cut at the bound: its name and the bytes received so far (more than the bound).

    It holds no content: every view checks the size of what it receives before reading it.
    """

    def __init__(self, name: str, received: int, content_type: str | None):
        super().__init__(file=io.BytesIO(), name=name, content_type=content_type, size=received)


class BoundedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        self.received = start + len(raw_data)
        if self.received <= settings.CPOM_MAX_UPLOAD_BYTES:
            return raw_data
        if not self.oversized:
            self.oversized = True
            self._drop_what_is_stored()
        return None  # the storing handlers after this one receive nothing more

    def _drop_what_is_stored(self) -> None:
        """Closes the memory buffer or temporary file the next handlers were filling: the temporary file goes."""
        for handler in self.request.upload_handlers:
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()

    def file_complete(self, file_size):
        if self.oversized:
            return OversizedUpload(self.file_name, self.received, self.content_type)
        return None  # the storing handler gives the file
