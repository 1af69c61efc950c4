import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { IngestBatcher } from '../queue/ingest-batcher';
import { ENTITY_ENVELOPES, EventKind, SyncEntityType } from '../sync/sync.types';
import { WebhookAcceptedDto } from './dto/webhook-accepted.dto';
import { repeatedParam, WebhookAuthService } from './webhook-auth.service';
import { routeOf } from './webhook-routes';
import { bodyFormatOf, isPlainObject, parseFormPairs, parseZohoBody, jsonTextForDatabase } from './zoho-body';
import { parseZohoTimestamp } from '../../common/zoho/zoho-time';
import { uniqueKeyNumberToken } from '../../common/json/exact-json';

export interface IncomingWebhook {
  entityType: SyncEntityType;
  route: string;
  method: string;
  contentType: string | undefined;
  body: Buffer;
  /** Decoded query parameters in order, repeats kept (a repeated name is refused). */
  query: [string, string][];
  apiKeyHeader?: string;
  signatureHeader?: string;
  requestId?: string;
}

const EVENT_ALIASES: Record<string, EventKind> = {
  created: 'created',
  create: 'created',
  new: 'created',
  updated: 'updated',
  update: 'updated',
  edited: 'updated',
  edit: 'updated',
  modified: 'updated',
  deleted: 'deleted',
  delete: 'deleted',
  removed: 'deleted',
};

const ID_MAX_LENGTH = 100;

/**
 * Puts the exact digits back into the fields read from a natively parsed record where they were JSON numbers (Zoho
 * prints ids as numbers, some above 2^53). False when that cannot be proved from the text (see uniqueKeyNumberToken):
 * then the caller parses the body again with exact numbers.
 */
function exactNumbersIn(text: string, record: Record<string, unknown>, fields: readonly string[]): boolean {
  for (const f of fields) {
    const v = record[f];
    if (typeof v !== 'number') continue;
    const token = uniqueKeyNumberToken(text, f);
    if (token === undefined || Number(token) !== v) return false;
    record[f] = token;
  }
  return true;
}

/**
 * Receives one Zoho webhook: authenticate (on the exact bytes) → parse leniently (extra fields welcome, numbers
 * exact) → find the record under its module key → store (group commit) → 202. Nothing is stored unless every
 * check passed; a 202 is sent only once the row is committed.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);
  private readonly allowedOrganizations: readonly string[];
  private readonly debugLog: boolean;

  constructor(
    private readonly auth: WebhookAuthService,
    private readonly batcher: IngestBatcher,
    config: AppConfigService,
  ) {
    this.allowedOrganizations = config.webhooks.organizationIds;
    // The per-webhook debug line is built only when it will be written (~1 µs per webhook otherwise).
    this.debugLog = config.log.level === 'debug' || config.log.level === 'trace';
  }

  async receive(w: IncomingWebhook): Promise<WebhookAcceptedDto> {
    // An empty body has no record to find; report it as such rather than as a content-type problem.
    const format = w.body.length === 0 && !w.contentType ? 'json' : bodyFormatOf(w.contentType);
    // Form fields are part of Zoho's signed string, so they are read (not yet interpreted) before auth.
    const params = format === 'form' ? [...w.query, ...parseFormPairs(w.body)] : w.query;
    this.auth.verify({
      apiKey: w.apiKeyHeader ?? w.query.find(([k]) => k === 'token')?.[1],
      signature: w.signatureHeader,
      params,
      rawBody: format === 'json' ? w.body : undefined,
    });
    // One name, one value: routing values are read from exactly the parameters that were authenticated.
    const repeated = repeatedParam(params);
    if (repeated !== undefined) {
      throw new DomainError(ErrorCode.InvalidParameter, `Parameter "${repeated}" is given more than once (query or form)`, {
        field: repeated,
      });
    }
    const named = Object.fromEntries(params);

    const organizationId = this.checkOrganization(named.organization_id);
    const eventKind = this.eventKind(w.method, named.event);
    // Zoho documents ids as strings but its examples print them as JSON numbers, some above 2^53. The body is parsed
    // natively (less than half the CPU of the exact parse); an id or modified time read as a number gets its exact
    // digits from the text when the key is written once there, else the body is parsed again with exact numbers,
    // so both paths give the same answer.
    let parsed = parseZohoBody(w.body, format, 'native');
    let envelope = this.envelope(parsed.document, w.entityType, w.route);
    if (!exactNumbersIn(parsed.jsonText, envelope.record, [envelope.idField, ...envelope.modifiedFields])) {
      parsed = parseZohoBody(w.body, format, 'exact');
      envelope = this.envelope(parsed.document, w.entityType, w.route);
    }
    const { key, bodyKey, idField, modifiedFields, record } = envelope;
    const entityId = this.recordId(record, bodyKey, idField);
    const modifiedRaw = modifiedFields.map((f) => record[f]).find((v) => typeof v === 'string' && v.trim() !== '') as string | undefined;
    const zohoModifiedAt = parseZohoTimestamp(modifiedRaw);

    // The event's identity; PostgreSQL adds the record's content to make the dedup key (EventRepository.insertBatch):
    // with a timestamp, a duplicate has the same kind, timestamp and content; without one, it equals the record's
    // newest accepted event.
    const version = zohoModifiedAt ? `t:${modifiedRaw}` : 'n';
    const keyPrefix = `${[organizationId ?? '', w.entityType, key, entityId, eventKind, version].join('\u001f')}\u001e`;

    const result = await this.batcher.submit({
      keyPrefix,
      entityType: w.entityType,
      recordType: key,
      entityId,
      eventKind,
      organizationId,
      zohoModifiedAt,
      contentType: String(w.contentType ?? '').slice(0, 200),
      body: w.body,
      payloadJson: this.needsOwnPayload(w.body, format) ? jsonTextForDatabase(parsed.jsonText) : null,
      requestId: w.requestId ?? null,
      bodyKey: bodyKey === key ? null : bodyKey,
    });
    if (this.debugLog)
      this.logger.debug(
        `webhook ${w.entityType}/${entityId} ${eventKind} → event ${result.eventId}${result.duplicate ? ' (duplicate)' : ''}`,
      );
    return {
      eventId: result.eventId,
      status: result.duplicate ? 'duplicate' : 'queued',
      entityType: w.entityType,
      entityId,
      recordType: key,
      event: eventKind,
    };
  }

  /**
   * PostgreSQL takes the record straight from the body bytes unless the body is a form (the JSON is in a field),
   * starts with a BOM, or holds \u0000 escapes that jsonb refuses: then we hand it the cleaned JSON text.
   */
  private needsOwnPayload(body: Buffer, format: 'json' | 'form'): boolean {
    if (format === 'form') return true;
    if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return true;
    return body.includes('\\u0000') || body.includes('\\U0000');
  }

  private checkOrganization(orgId: string | undefined): string | null {
    const allowed = this.allowedOrganizations;
    const id = orgId?.trim() || null;
    if (allowed.length > 0 && (!id || !allowed.includes(id))) {
      throw new DomainError(
        ErrorCode.OrganizationNotAllowed,
        id
          ? `organization_id ${id} is not one of the configured ZOHO_ORGANIZATION_IDS`
          : 'organization_id query parameter is required (ZOHO_ORGANIZATION_IDS is set)',
      );
    }
    if (id && id.length > 64) throw new DomainError(ErrorCode.InvalidEnvelope, 'organization_id is too long', { field: 'organization_id' });
    // A control character (%00 in the query) is no Zoho organization id, and PostgreSQL's text cannot hold U+0000.
    if (id && /\p{Cc}/u.test(id)) {
      throw new DomainError(ErrorCode.InvalidParameter, 'Parameter "organization_id" holds a control character', {
        field: 'organization_id',
      });
    }
    return id;
  }

  private eventKind(method: string, event: string | undefined): EventKind {
    if (method === 'DELETE') return 'deleted';
    const raw = event?.trim().toLowerCase();
    if (!raw) return 'updated';
    const kind = Object.hasOwn(EVENT_ALIASES, raw) ? EVENT_ALIASES[raw] : undefined;
    if (!kind) {
      throw new DomainError(ErrorCode.InvalidEnvelope, `Parameter event="${event}" must be created, updated or deleted`, {
        field: 'event',
      });
    }
    return kind;
  }

  private envelope(document: unknown, type: SyncEntityType, route: string) {
    const specs = ENTITY_ENVELOPES[type];
    const expected = () => specs.map((s) => `'${s.key}'`).join(' or '); // for the error messages only
    if (!isPlainObject(document)) {
      throw new DomainError(ErrorCode.InvalidEnvelope, `The body must be a JSON object holding the record under ${expected()}`, {
        field: specs[0].key,
      });
    }
    for (const spec of specs) {
      // The record type's own key first, then the other keys Zoho documents for it (EnvelopeSpec.aliases).
      const bodyKey = [spec.key, ...(spec.aliases ?? [])].find((k) => k in document);
      if (bodyKey === undefined) continue;
      const record = document[bodyKey];
      if (!isPlainObject(record)) {
        throw new DomainError(ErrorCode.InvalidEnvelope, `'${bodyKey}' must be a JSON object (the Zoho record)`, { field: bodyKey });
      }
      return { key: spec.key, bodyKey, idField: spec.idField, modifiedFields: spec.modifiedFields, record };
    }
    const other = Object.entries(ENTITY_ENVELOPES)
      .flatMap(([t, s]) => s.flatMap((x) => [x.key, ...(x.aliases ?? [])].map((key) => ({ type: t as SyncEntityType, key }))))
      .find((x) => x.key in document);
    if (other) {
      throw new DomainError(
        ErrorCode.InvalidEnvelope,
        `The body holds '${other.key}' (a ${other.type} record) but /webhooks/${route} expects ${expected()}; send it to /webhooks/${routeOf(other.type)}`,
        { field: specs[0].key, found: other.key },
      );
    }
    throw new DomainError(ErrorCode.InvalidEnvelope, `Missing envelope: expected the record under ${expected()}`, { field: specs[0].key });
  }

  private recordId(record: Record<string, unknown>, key: string, idField: string): string {
    const raw = record[idField];
    const field = `${key}.${idField}`;
    let id: string | undefined;
    if (typeof raw === 'string') id = raw.trim(); // JSON numbers arrive as their exact digits
    if (id === undefined) {
      throw new DomainError(
        ErrorCode.InvalidEnvelope,
        raw === undefined || raw === null ? `Missing ${field}` : `${field} must be a string or number`,
        { field },
      );
    }
    if (id === '') throw new DomainError(ErrorCode.InvalidEnvelope, `${field} is empty`, { field });
    // Zoho ids are digit strings ("460000000026049"); number tokens such as -0 or 1e5 would name the same record
    // twice (or none).
    if (id.length > ID_MAX_LENGTH || !/^\d+$/.test(id)) {
      throw new DomainError(ErrorCode.InvalidEnvelope, `${field} is not a valid Zoho id (a string of digits)`, { field });
    }
    return id;
  }
}
