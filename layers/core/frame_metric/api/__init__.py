"""HTTP concerns shared by the API function: error bodies, multipart forms, the OpenAPI document."""
