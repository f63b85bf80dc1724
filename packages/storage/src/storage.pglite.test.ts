import { openDatabase } from "./open-database.ts";
import { describeRunValuesSuite } from "./run-values-suite.ts";
import { describeStorageSuite, SUITE_DIMENSIONS } from "./storage-suite.ts";

const backend = {
  open: () => openDatabase({ dataDir: "memory://", embeddingDimensions: SUITE_DIMENSIONS }),
  openEmpty: () => openDatabase({ dataDir: "memory://", embeddingDimensions: SUITE_DIMENSIONS, migrate: false }),
};
describeStorageSuite("PGlite (in-process)", backend);
describeRunValuesSuite("PGlite (in-process)", backend);
