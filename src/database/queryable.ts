/** The part of a pg client the repositories need: a pooled client inside an open transaction satisfies it. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}
