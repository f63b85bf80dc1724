import { describeStatisticsRoutes } from "./statistics-routes-suite.ts";

describeStatisticsRoutes("embedded PGlite", () => ({}));
