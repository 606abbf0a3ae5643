import { eligibilityViolations, roleCredentialErrors, rolesAllowedBy } from './roles';

describe('rolesAllowedBy', () => {
  it.each([
    [['MD'], ['prescriber', 'therapist']],
    [['PMHNP'], ['prescriber', 'therapist']],
    [['pa'], ['prescriber', 'therapist']],
    [['LCSW'], ['therapist']],
    [['Ph.D.'], ['therapist']],
    [
      ['PsyD', 'DO'],
      ['prescriber', 'therapist'],
    ],
    [['RN'], []],
    [[], []],
  ])('%p allows %p', (credentials, roles) => {
    expect(rolesAllowedBy(credentials)).toEqual(roles);
  });
});

describe('roleCredentialErrors', () => {
  it('is empty when every role is backed', () => {
    expect(roleCredentialErrors(['MD'], ['prescriber', 'therapist'])).toEqual([]);
    expect(roleCredentialErrors(['LMFT'], ['therapist'])).toEqual([]);
  });

  it('refuses a therapist-only credential claiming to prescribe', () => {
    const errors = roleCredentialErrors(['LCSW'], ['prescriber', 'therapist']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/prescriber role needs one of .*MD.*\(given: LCSW\)/);
  });

  it('lists every unbacked role', () => {
    expect(roleCredentialErrors([], ['prescriber', 'therapist'])).toHaveLength(2);
  });
});

describe('eligibilityViolations', () => {
  it('accepts an active provider with the role', () => {
    expect(
      eligibilityViolations({ roles: ['prescriber', 'therapist'], active: true }, 'therapist'),
    ).toEqual([]);
  });

  it('never books a therapist for a prescriber visit', () => {
    expect(eligibilityViolations({ roles: ['therapist'], active: true }, 'prescriber')).toEqual([
      {
        code: 'PROVIDER_NOT_ELIGIBLE',
        detail: 'a therapist cannot see a patient for a prescriber visit',
      },
    ]);
  });

  it('reports inactivity and the missing role together, inactivity first', () => {
    const codes = eligibilityViolations(
      { roles: ['therapist'], active: false, name: 'Dana Reyes, LCSW' },
      'prescriber',
    );
    expect(codes.map((v) => v.code)).toEqual(['PROVIDER_INACTIVE', 'PROVIDER_NOT_ELIGIBLE']);
    expect(codes[1]?.detail).toBe(
      'Dana Reyes, LCSW (therapist) cannot see a patient for a prescriber visit',
    );
  });
});
