import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';

/**
 * Keyset pagination: the cursor is opaque to clients (base64url of a kind tag and the last id of the page), so the
 * order key can change without breaking them. A cursor of another list, or edited, is a 400 naming `cursor`.
 */
export function encodeCursor(kind: 'e' | 'a', lastId: string): string {
  return Buffer.from(`${kind}:${lastId}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: 'e' | 'a', cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^([ea]):(\d{1,19})$/.exec(text);
  if (!m || m[1] !== kind || BigInt(m[2]) > 9223372036854775807n) {
    throw new DomainError(
      ErrorCode.InvalidParameter,
      'Parameter "cursor" is not a cursor of this list (use nextCursor of the previous page)',
      {
        field: 'cursor',
      },
    );
  }
  return m[2];
}

/** The page and the cursor of the next one (null on the last page); `rows` holds up to limit + 1 rows. */
export function pageOf<T extends { id: string }>(kind: 'e' | 'a', rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(kind, items[items.length - 1].id) : null };
}
