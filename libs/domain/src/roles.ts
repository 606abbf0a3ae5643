import type { Violation } from './errors';

export const PROVIDER_ROLES = ['prescriber', 'therapist'] as const;
export type ProviderRole = (typeof PROVIDER_ROLES)[number];

export const PRESCRIBER_CREDENTIALS = ['MD', 'DO', 'NP', 'PMHNP', 'PA'] as const;
export const THERAPIST_CREDENTIALS = ['PhD', 'PsyD', 'LCSW', 'LPC', 'LMFT'] as const;
export const CREDENTIALS = [...PRESCRIBER_CREDENTIALS, ...THERAPIST_CREDENTIALS] as const;
export type Credential = (typeof CREDENTIALS)[number];

/** Staff type "Ph.D." or "md" as often as "PhD" or "MD"; both mean the same licence. */
function normalize(credential: string): string {
  return credential.replace(/[.\s]/g, '').toUpperCase();
}

const PRESCRIBING = new Set<string>(PRESCRIBER_CREDENTIALS.map(normalize));
const THERAPY = new Set<string>(THERAPIST_CREDENTIALS.map(normalize));

/**
 * Roles a set of credentials can back. A prescriber may also offer therapy, so a
 * prescribing licence allows both; a therapy licence never allows prescribing.
 */
export function rolesAllowedBy(credentials: readonly string[]): ProviderRole[] {
  const normalized = credentials.map(normalize);
  if (normalized.some((c) => PRESCRIBING.has(c))) return ['prescriber', 'therapist'];
  if (normalized.some((c) => THERAPY.has(c))) return ['therapist'];
  return [];
}

function requiredCredentials(role: ProviderRole): readonly string[] {
  return role === 'prescriber' ? PRESCRIBER_CREDENTIALS : CREDENTIALS;
}

/** One message per claimed role that no credential backs; empty when the claim is sound. */
export function roleCredentialErrors(
  credentials: readonly string[],
  roles: readonly ProviderRole[],
): string[] {
  const allowed = new Set(rolesAllowedBy(credentials));
  const given = credentials.length > 0 ? credentials.join(', ') : 'none';
  return [...new Set(roles)]
    .filter((role) => !allowed.has(role))
    .map(
      (role) =>
        `the ${role} role needs one of the credentials ${requiredCredentials(role).join(', ')} (given: ${given})`,
    );
}

export interface EligibilityCandidate {
  roles: readonly ProviderRole[];
  active: boolean;
  name?: string;
}

/** Whether a provider may be booked for a visit that needs `requiredRole`; every reason why not. */
export function eligibilityViolations(
  provider: EligibilityCandidate,
  requiredRole: ProviderRole,
): Violation[] {
  const violations: Violation[] = [];
  const who = provider.name ?? 'the provider';
  if (!provider.active) {
    violations.push({
      code: 'PROVIDER_INACTIVE',
      detail: `${who} is inactive and cannot be booked`,
    });
  }
  if (!provider.roles.includes(requiredRole)) {
    const roles =
      provider.roles.length > 0 ? provider.roles.join(' and ') : 'provider without a clinical role';
    const subject = provider.name ? `${provider.name} (${roles})` : `a ${roles}`;
    violations.push({
      code: 'PROVIDER_NOT_ELIGIBLE',
      detail: `${subject} cannot see a patient for a ${requiredRole} visit`,
    });
  }
  return violations;
}
