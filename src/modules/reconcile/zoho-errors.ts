/** The request budget (the day's, or this run's share of it) is spent: the pass stops and resumes later. */
export class BudgetExhaustedError extends Error {
  constructor(readonly window: 'day' | 'run') {
    super(
      window === 'day'
        ? 'the daily Zoho API budget (ZOHO_API_DAILY_BUDGET) is spent'
        : "this run's share of the daily Zoho API budget is spent",
    );
    this.name = 'BudgetExhaustedError';
  }
}

/** Zoho answered with an error (or not at all). The message never holds a token or secret. */
export class ZohoApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ZohoApiError';
  }
}
