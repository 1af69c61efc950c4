import type { SyncHandler } from './sync-handler';
import { SyncEntityType } from './sync.types';
import { billSyncHandler } from './handlers/bill.sync-handler';
import { contactSyncHandler } from './handlers/contact.sync-handler';
import { creditNoteSyncHandler } from './handlers/credit-note.sync-handler';
import { invoiceSyncHandler } from './handlers/invoice.sync-handler';
import { priceSyncHandler } from './handlers/price.sync-handler';
import { productSyncHandler } from './handlers/product.sync-handler';
import { salesOrderSyncHandler } from './handlers/sales-order.sync-handler';
import { stockSyncHandler } from './handlers/stock.sync-handler';

/** Every entity type has exactly one handler: leaving one out is a compile error. */
export const SYNC_HANDLERS: { [K in SyncEntityType]: SyncHandler } = {
  [SyncEntityType.Contact]: contactSyncHandler,
  [SyncEntityType.Product]: productSyncHandler,
  [SyncEntityType.SalesOrder]: salesOrderSyncHandler,
  [SyncEntityType.Invoice]: invoiceSyncHandler,
  [SyncEntityType.Bill]: billSyncHandler,
  [SyncEntityType.CreditNote]: creditNoteSyncHandler,
  [SyncEntityType.Stock]: stockSyncHandler,
  [SyncEntityType.Price]: priceSyncHandler,
};
