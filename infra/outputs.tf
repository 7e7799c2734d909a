output "api_url" {
  description = "The api's URL: give it to participants together with their token."
  value       = var.api_load_balancer ? "https://${var.api_domain}" : google_cloudfunctions2_function.api.service_config[0].uri
}

output "api_load_balancer_ip" {
  description = "With api_load_balancer: the address the api_domain's DNS A record must point at (the certificate is issued once it does)."
  value       = var.api_load_balancer ? google_compute_global_address.api[0].address : null
}

# Read by `npm run deploy`, which adds each secret's value as a version outside Terraform.
output "secrets" {
  description = "Secret Manager secret ids by the environment variable the functions read them as."
  value = merge(
    { INSTRUCTOR_TOKEN = google_secret_manager_secret.instructor_token.secret_id },
    local.gemini_key ? { GEMINI_API_KEY = google_secret_manager_secret.gemini_api_key[0].secret_id } : {},
  )
}

output "project_id" {
  description = "The project the secrets live in."
  value       = var.project_id
}

output "bucket" {
  description = "The private bucket holding the generated images."
  value       = google_storage_bucket.images.name
}
