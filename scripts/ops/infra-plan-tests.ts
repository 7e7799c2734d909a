/** The plan tests `npm run infra:validate` runs against infra/: fixed ones, and those read from infra/shape.json. */
import { FUNCTION_NAMES, type DeployedShape, type FunctionName } from '../stack/shape.js';

/**
 * `tofu validate` never evaluates variables, so these plans do: each mode, with a mocked provider
 * (no credentials, no network), checks that every expression evaluates and that the checks
 * loadConfig makes are enforced before anything is created. Written into the temporary copy only.
 */
export const PLAN_TESTS = `mock_provider "google" {
  mock_data "google_storage_project_service_account" {
    defaults = { email_address = "service-1@gs-project-accounts.iam.gserviceaccount.com" }
  }
}

variables {
  project_id            = "validate-project"
  source_archive_path   = "source.zip"
  source_archive_sha256 = "${'0'.repeat(64)}"
}

run "embedded" {
  command = plan
  assert {
    condition     = length(google_secret_manager_secret.gemini_api_key) == 0 && length(google_project_iam_member.generate_vertex) == 0
    error_message = "the embedded provider needs no Gemini key and no Vertex AI role"
  }
}

run "gemini_vertex" {
  command = plan
  variables {
    image_provider = "gemini"
  }
  assert {
    condition     = google_cloudfunctions2_function.generate.service_config[0].environment_variables["GOOGLE_GENAI_USE_VERTEXAI"] == "true"
    error_message = "Vertex mode must switch the SDK to Vertex AI"
  }
  assert {
    condition     = length(google_project_iam_member.generate_vertex) == 1 && length(google_secret_manager_secret.gemini_api_key) == 0
    error_message = "Vertex mode needs aiplatform.user and no key"
  }
  assert {
    condition     = google_cloudfunctions2_function.generate.service_config[0].max_instance_count == 15 && google_cloudfunctions2_function.generate.service_config[0].timeout_seconds == 180
    error_message = "shape.json declares 15 generator instances (60 rpm × 10 s × 1.5) and a 180 s timeout (a 120 s lease + 60 s)"
  }
}

run "gemini_api_key" {
  command = plan
  variables {
    image_provider = "gemini"
    gemini_auth    = "api_key"
  }
  assert {
    condition     = length(google_secret_manager_secret.gemini_api_key) == 1 && length(google_project_iam_member.generate_vertex) == 0
    error_message = "API-key mode stores the key and grants no Vertex AI role"
  }
  assert {
    condition     = google_cloudfunctions2_function.generate.service_config[0].secret_environment_variables[0].key == "GEMINI_API_KEY"
    error_message = "generateImage must read the key from Secret Manager"
  }
}

run "judge_vertex_with_embedded_images" {
  command = plan
  variables {
    judge = "gemini"
  }
  assert {
    condition     = length(google_project_iam_member.assess_vertex) == 1 && length(google_project_iam_member.generate_vertex) == 0 && length(google_secret_manager_secret.gemini_api_key) == 0
    error_message = "the judge alone gives assessImage, and only it, the Vertex AI role"
  }
  assert {
    condition     = google_cloudfunctions2_function.assess.service_config[0].environment_variables["JUDGE"] == "gemini" && google_cloudfunctions2_function.assess.service_config[0].environment_variables["GOOGLE_GENAI_USE_VERTEXAI"] == "true"
    error_message = "assessImage must run the judge through Vertex AI"
  }
}

run "judge_api_key" {
  command = plan
  variables {
    judge       = "gemini"
    gemini_auth = "api_key"
  }
  assert {
    condition     = length(google_secret_manager_secret.gemini_api_key) == 1 && length(google_secret_manager_secret_iam_member.assess_gemini_key) == 1 && length(google_secret_manager_secret_iam_member.generate_gemini_key) == 0
    error_message = "the judge in API-key mode reads the key in assessImage only, when the images are embedded"
  }
  assert {
    condition     = google_cloudfunctions2_function.assess.service_config[0].secret_environment_variables[0].key == "GEMINI_API_KEY"
    error_message = "assessImage must read the key from Secret Manager"
  }
}

run "unknown_judge" {
  command = plan
  variables {
    judge = "gpt"
  }
  expect_failures = [var.judge]
}

run "lease_shorter_than_a_call" {
  command = plan
  variables {
    image_provider         = "gemini"
    gemini_timeout_seconds = 100
    lease_seconds          = 120
  }
  expect_failures = [google_cloudfunctions2_function.generate]
}

run "reconcile_schedule" {
  command = plan
  variables {
    reconcile_interval_minutes = 5
  }
  assert {
    condition     = google_cloud_scheduler_job.reconcile.schedule == "*/5 * * * *" && google_cloudfunctions2_function.reconcile.service_config[0].environment_variables["RECONCILE_INTERVAL_SECONDS"] == "300"
    error_message = "the schedule and RECONCILE_INTERVAL_SECONDS must come from the same reconcile_interval_minutes"
  }
}

run "reconcile_every_minute_by_default" {
  command = plan
  assert {
    condition     = google_cloud_scheduler_job.reconcile.schedule == "* * * * *" && google_cloud_scheduler_job.reconcile.http_target[0].http_method == "POST"
    error_message = "the reconciler runs every minute by default, by POST"
  }
}

run "deadline_shorter_than_stale" {
  command = plan
  variables {
    reconcile_stale_minutes   = 30
    generate_deadline_minutes = 20
  }
  expect_failures = [google_cloudfunctions2_function.reconcile]
}

run "api_load_balancer_off_by_default" {
  command = plan
  assert {
    condition     = length(google_compute_security_policy.api) == 0 && length(google_compute_global_forwarding_rule.api) == 0 && length(google_compute_region_network_endpoint_group.api) == 0
    error_message = "no load balancer unless api_load_balancer is set"
  }
  assert {
    condition     = google_cloudfunctions2_function.api.service_config[0].ingress_settings == "ALLOW_ALL" && !contains(keys(google_project_service.apis), "compute.googleapis.com")
    error_message = "without the load balancer the api takes requests directly, and the Compute API stays off"
  }
}

run "api_load_balancer" {
  command = plan
  variables {
    api_load_balancer = true
    api_domain        = "api.workshop.example.org"
  }
  assert {
    condition     = anytrue([for rule in google_compute_security_policy.api[0].rule : rule.action == "deny(403)" && rule.priority == 1000 && rule.match[0].expr[0].expression == "has(request.headers['content-encoding'])"])
    error_message = "the Cloud Armor policy must refuse every request that carries Content-Encoding, first"
  }
  assert {
    condition     = google_cloudfunctions2_function.api.service_config[0].ingress_settings == "ALLOW_INTERNAL_AND_GCLB"
    error_message = "behind the load balancer the api must refuse direct requests, or the rule can be gone around"
  }
  assert {
    condition     = google_compute_region_network_endpoint_group.api[0].network_endpoint_type == "SERVERLESS" && google_compute_backend_service.api[0].load_balancing_scheme == "EXTERNAL_MANAGED" && google_compute_global_forwarding_rule.api[0].port_range == "443"
    error_message = "a serverless NEG behind an external managed HTTPS load balancer on port 443"
  }
  assert {
    condition     = google_compute_managed_ssl_certificate.api[0].managed[0].domains[0] == "api.workshop.example.org" && output.api_url == "https://api.workshop.example.org"
    error_message = "the certificate and the api_url output must name api_domain"
  }
  assert {
    condition     = contains(keys(google_project_service.apis), "compute.googleapis.com")
    error_message = "the load balancer needs the Compute API"
  }
}

run "api_load_balancer_without_a_domain" {
  command = plan
  variables {
    api_load_balancer = true
  }
  expect_failures = [google_compute_managed_ssl_certificate.api]
}

run "generator_timeout_shorter_than_its_lease" {
  command = plan
  variables {
    lease_seconds = 200
  }
  expect_failures = [google_cloudfunctions2_function.generate]
}

run "unknown_provider" {
  command = plan
  variables {
    image_provider = "dalle"
  }
  expect_failures = [var.image_provider]
}
`;

/**
 * Plans that hold every function's limits to the figures in infra/shape.json, read here by this
 * script and written into the run as literals: a functions.tf that stopped reading the file (or
 * read the wrong entry) would plan other figures and fail.
 */
export function shapePlanTests(shape: DeployedShape): string {
  const resource: Record<FunctionName, string> = { api: 'api', generateImage: 'generate', assessImage: 'assess', reconcile: 'reconcile' };
  const asserts = FUNCTION_NAMES.map((name) => {
    const config = `google_cloudfunctions2_function.${resource[name]}.service_config[0]`;
    const declared = shape[name];
    return `  assert {
    condition     = ${config}.timeout_seconds == ${declared.timeout_seconds} && ${config}.max_instance_count == ${declared.max_instances} && ${config}.max_instance_request_concurrency == ${declared.requests_per_instance} && ${config}.available_memory == "${declared.memory}" && ${config}.available_cpu == "${declared.cpu}"
    error_message = "${name}'s limits must be those infra/shape.json declares"
  }`;
  });
  return `\nrun "shape_from_shape_json" {\n  command = plan\n${asserts.join('\n')}\n}\n`;
}
