/**
 * How many of each thing a seed of `plans` care plans needs. The shares follow a
 * medication-management clinic: 60 % of patients are on medication only, 30 % also see a
 * therapist, 10 % see a therapist only; so 1.3 plans per patient.
 */
export interface SeedOptions {
  /** Care plans to create (medication + therapy), approximately. */
  plans: number;
  /** Weeks of medication-visit history before today. */
  historyWeeks: number;
  /** Weeks of therapy-session history (weekly sessions make this the bulk of the rows). */
  therapyHistoryWeeks: number;
  /** Medication plans whose responsible provider is the first prescriber (panel scenario). */
  panelPlans: number;
  /** Parallel connections for the big inserts (one per core is right). */
  jobs: number;
}

export const DEFAULT_SEED_OPTIONS: SeedOptions = {
  plans: 100_000,
  historyWeeks: 26,
  therapyHistoryWeeks: 8,
  panelPlans: 2_000,
  jobs: 2,
};

export interface SeedSizes {
  patients: number;
  medPlans: number;
  therapyPlans: number;
  /** Share of therapy plans whose patient also has a medication plan. */
  pairedShare: number;
  prescribers: number;
  therapists: number;
  locations: number;
}

/**
 * A prescriber fills ~45 of 60 weekly half-hour lanes, each lane shared by `intervalWeeks`
 * plans (4–12, mean 8): ~360 plans. A therapist fills ~28 of 35 weekly hour lanes, weekly
 * (1 plan) or biweekly (2 plans): ~39 plans. 10 % spare providers absorb the hash noise.
 */
export function seedSizes(options: SeedOptions): SeedSizes {
  const patients = Math.max(10, Math.round(options.plans / 1.3));
  const medPlans = Math.round(patients * 0.9);
  const therapyPlans = Math.max(1, options.plans - medPlans);
  const prescribers = Math.ceil((medPlans / 360) * 1.1) + 1;
  const therapists = Math.ceil((therapyPlans / 39) * 1.1) + 1;
  return {
    patients,
    medPlans,
    therapyPlans,
    pairedShare: Math.min(1, (patients * 0.3) / therapyPlans),
    prescribers,
    therapists,
    locations: Math.max(1, Math.ceil((prescribers + therapists) / 40)),
  };
}
