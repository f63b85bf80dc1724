import { openDatabase } from "./open-database.ts";
import { describeStorageSuite, SUITE_DIMENSIONS } from "./storage-suite.ts";

describeStorageSuite("PGlite (in-process)", {
  open: () => openDatabase({ dataDir: "memory://", embeddingDimensions: SUITE_DIMENSIONS }),
  openEmpty: () => openDatabase({ dataDir: "memory://", embeddingDimensions: SUITE_DIMENSIONS, migrate: false }),
});
