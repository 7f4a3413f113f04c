# An attachment is imported by its id (vatt-..., from GET /api/storage/volumes/{id}/attachments).
terraform import atonix_volume_attachment.data vatt-abcdefgh23456789
