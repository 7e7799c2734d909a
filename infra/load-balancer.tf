# --- Optional (api_load_balancer): the api behind an external HTTPS load balancer with Cloud Armor.
#
# functions-framework inflates a gzip or deflate body before any of our code runs, so a small
# compressed body can take an api instance's memory far past its 1 MiB limit before the 413. No
# client of the api compresses its requests, so the policy refuses every request that says it is
# compressed, at Google's edge. With the balancer on, the api takes requests only through it
# (ingress ALLOW_INTERNAL_AND_GCLB), so the function's own URL cannot be used to go around the rule.

locals {
  load_balancer = var.api_load_balancer ? 1 : 0
}

resource "google_compute_security_policy" "api" {
  count       = local.load_balancer
  name        = "api-refuse-compressed-bodies"
  description = "Refuses request bodies that declare a Content-Encoding: the api would inflate them before its size limit applies."

  rule {
    action      = "deny(403)"
    priority    = 1000
    description = "any Content-Encoding (gzip, deflate, br, identity …)"
    match {
      expr {
        expression = "has(request.headers['content-encoding'])"
      }
    }
  }

  rule {
    action      = "allow"
    priority    = 2147483647
    description = "everything else"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_compute_region_network_endpoint_group" "api" {
  count                 = local.load_balancer
  name                  = "api-serverless"
  region                = var.region
  network_endpoint_type = "SERVERLESS"
  cloud_run {
    service = google_cloudfunctions2_function.api.service_config[0].service
  }
}

resource "google_compute_backend_service" "api" {
  count                 = local.load_balancer
  name                  = "api"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"
  security_policy       = google_compute_security_policy.api[0].id
  backend {
    group = google_compute_region_network_endpoint_group.api[0].id
  }
}

resource "google_compute_url_map" "api" {
  count           = local.load_balancer
  name            = "api"
  default_service = google_compute_backend_service.api[0].id
}

resource "google_compute_managed_ssl_certificate" "api" {
  count = local.load_balancer
  name  = "api"
  managed {
    domains = [var.api_domain]
  }

  lifecycle {
    precondition {
      condition     = var.api_domain != ""
      error_message = "api_load_balancer needs api_domain: the load balancer serves HTTPS with a Google-managed certificate for that domain."
    }
  }
}

resource "google_compute_target_https_proxy" "api" {
  count            = local.load_balancer
  name             = "api"
  url_map          = google_compute_url_map.api[0].id
  ssl_certificates = [google_compute_managed_ssl_certificate.api[0].id]
}

resource "google_compute_global_address" "api" {
  count = local.load_balancer
  name  = "api"

  depends_on = [google_project_service.apis]
}

resource "google_compute_global_forwarding_rule" "api" {
  count                 = local.load_balancer
  name                  = "api-https"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  port_range            = "443"
  target                = google_compute_target_https_proxy.api[0].id
  ip_address            = google_compute_global_address.api[0].address
}
