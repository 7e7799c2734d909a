# The api publishes one message per prompt here; generateImage's Eventarc trigger subscribes to it.
resource "google_pubsub_topic" "generation" {
  name = "image-generation"

  depends_on = [google_project_service.apis]
}
