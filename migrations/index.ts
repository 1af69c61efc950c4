// Every migration, in order. A new migration file must be added here (a unit test checks that none is missing).
import { CreateSchemas1764300000000 } from './1764300000000-CreateSchemas';

export const MIGRATIONS = [CreateSchemas1764300000000];
