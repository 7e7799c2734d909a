import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTerraformFiles, scanInfraForSecrets, secretFindings } from '../../scripts/lib/secret-scan.js';

describe('no secret in Terraform\'s plan or state', () => {
  it('finds none in infra/', async () => {
    expect(await scanInfraForSecrets(resolve(import.meta.dirname, '../../infra'))).toEqual([]);
  });

  it('fails a configuration that stores a secret value, as infra/ once did', async () => {
    const findings = secretFindings(await parseTerraformFiles({
      'secrets.tf': `variable "instructor_token" {
  type      = string
  sensitive = true
}
resource "google_secret_manager_secret_version" "instructor_token" {
  secret      = google_secret_manager_secret.instructor_token.id
  secret_data = var.instructor_token
}`,
    }));
    expect(findings).toEqual([
      expect.stringContaining('variable "instructor_token" is sensitive'),
      expect.stringContaining('google_secret_manager_secret_version.instructor_token sets secret_data'),
    ]);
  });

  it('accepts write-only arguments fed by an ephemeral variable', async () => {
    const findings = secretFindings(await parseTerraformFiles({
      'secrets.tf': `variable "token" {
  type      = string
  sensitive = true
  ephemeral = true
}
resource "google_secret_manager_secret_version" "token" {
  secret                 = google_secret_manager_secret.token.id
  secret_data_wo         = var.token
  secret_data_wo_version = 1
}`,
    }));
    expect(findings).toEqual([]);
  });
});
