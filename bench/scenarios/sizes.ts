/** The dataset most scenarios share: a clinic group of 100 k care plans (20 k for --quick). */
export const MAIN_PLANS = { quick: 20_000, full: 100_000 };
