import { SyncEntityType } from '../sync/sync.types';

/**
 * Route segment → entity type. The earlier system's URLs stay valid because existing Zoho webhook
 * configurations point at them (customers, vendors, orders, items).
 */
export const WEBHOOK_ROUTES: Record<string, SyncEntityType> = {
  contacts: SyncEntityType.Contact,
  customers: SyncEntityType.Contact,
  vendors: SyncEntityType.Contact,
  products: SyncEntityType.Product,
  items: SyncEntityType.Product,
  'sales-orders': SyncEntityType.SalesOrder,
  orders: SyncEntityType.SalesOrder,
  invoices: SyncEntityType.Invoice,
  bills: SyncEntityType.Bill,
  'credit-notes': SyncEntityType.CreditNote,
  stock: SyncEntityType.Stock,
  prices: SyncEntityType.Price,
};

export const CANONICAL_ROUTES = ['contacts', 'products', 'sales-orders', 'invoices', 'bills', 'credit-notes', 'stock', 'prices'];
export const ALIAS_ROUTES = ['customers', 'vendors', 'orders', 'items'];

/** Route segment for an entity type, for messages. */
export function routeOf(type: SyncEntityType): string {
  return CANONICAL_ROUTES.find((r) => WEBHOOK_ROUTES[r] === type) ?? type;
}
