// The peers' equivalent of erp.contacts and of the contact handler: a scratch table bench_contacts and an upsert that
// maps the Zoho contact fields, keeps the raw record, and refuses to go back in time (last_modified_time).
// Batch form: one multi-row upsert of a JSON array, repeated keys in one batch dropped (PostgreSQL refuses to update
// the same row twice in one statement; the newest version wins).

export const CREATE_SINK = `
  CREATE TABLE IF NOT EXISTS bench_contacts (
    zoho_contact_id   text PRIMARY KEY,
    contact_name      text NOT NULL,
    company_name      text,
    contact_type      text,
    status            text,
    email             text,
    phone             text,
    currency_code     text,
    credit_limit      numeric(20, 6),
    payment_terms     integer,
    billing_city      text,
    zoho_modified_at  timestamptz,
    raw               jsonb NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
  )`;

const COLUMNS = `zoho_contact_id, contact_name, company_name, contact_type, status, email, phone, currency_code,
  credit_limit, payment_terms, billing_city, zoho_modified_at, raw`;

const FROM_RECORD = (r) => `
  ${r}->>'contact_id', ${r}->>'contact_name', ${r}->>'company_name', ${r}->>'contact_type', ${r}->>'status',
  ${r}->'contact_persons'->0->>'email', ${r}->'contact_persons'->0->>'phone', ${r}->>'currency_code',
  (${r}->>'credit_limit')::numeric, (${r}->>'payment_terms')::int, ${r}->'billing_address'->>'city',
  (${r}->>'last_modified_time')::timestamptz, ${r}`;

const ON_CONFLICT = `
  ON CONFLICT (zoho_contact_id) DO UPDATE SET
    contact_name = EXCLUDED.contact_name, company_name = EXCLUDED.company_name, contact_type = EXCLUDED.contact_type,
    status = EXCLUDED.status, email = EXCLUDED.email, phone = EXCLUDED.phone, currency_code = EXCLUDED.currency_code,
    credit_limit = EXCLUDED.credit_limit, payment_terms = EXCLUDED.payment_terms, billing_city = EXCLUDED.billing_city,
    zoho_modified_at = EXCLUDED.zoho_modified_at, raw = EXCLUDED.raw, updated_at = now()
  WHERE bench_contacts.zoho_modified_at IS NULL OR bench_contacts.zoho_modified_at <= EXCLUDED.zoho_modified_at`;

/** $1 = JSON array of contact records. */
export const UPSERT_BATCH = `
  INSERT INTO bench_contacts (${COLUMNS})
  SELECT ${FROM_RECORD('r')}
    FROM (SELECT DISTINCT ON (e->>'contact_id') e AS r
            FROM jsonb_array_elements($1::jsonb) AS e
           ORDER BY e->>'contact_id', (e->>'last_modified_time')::timestamptz DESC) AS d
  ${ON_CONFLICT}`;

/** $1 = one contact record (JSON). */
export const UPSERT_ONE = `
  INSERT INTO bench_contacts (${COLUMNS})
  SELECT ${FROM_RECORD('r')} FROM (SELECT $1::jsonb AS r) AS d
  ${ON_CONFLICT}`;

/** The ceiling's queue, and one statement that claims 100 rows, upserts them and deletes them. */
export const CREATE_CEILING_QUEUE = `
  CREATE TABLE IF NOT EXISTS bench_queue (
    id          bigserial PRIMARY KEY,
    data        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
  )`;

export const CEILING_CLAIM_APPLY = (batch) => `
  WITH claimed AS (
    DELETE FROM bench_queue
     WHERE id IN (SELECT id FROM bench_queue ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED)
    RETURNING data
  ), applied AS (
    INSERT INTO bench_contacts (${COLUMNS})
    SELECT ${FROM_RECORD('r')}
      FROM (SELECT DISTINCT ON (data->>'contact_id') data AS r FROM claimed
             ORDER BY data->>'contact_id', (data->>'last_modified_time')::timestamptz DESC) AS d
    ${ON_CONFLICT}
  )
  SELECT count(*)::int AS n FROM claimed`;
