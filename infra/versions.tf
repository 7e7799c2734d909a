# Pinned to the provider that `npm run infra:validate` builds from source (scripts/ops/go-tools.ts):
# the Go module proxy only carries 8.0.0, so that is the version the configuration is checked against.
terraform {
  required_version = ">= 1.6"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 8.0"
    }
  }
}
