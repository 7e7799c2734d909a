output "api_url" {
  description = "The api's URL: give it to participants together with their token."
  value       = google_cloudfunctions2_function.api.service_config[0].uri
}

output "bucket" {
  description = "The private bucket holding the generated images."
  value       = google_storage_bucket.images.name
}
