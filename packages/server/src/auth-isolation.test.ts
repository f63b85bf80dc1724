import { describeBotIsolation } from "./auth-isolation-suite.ts";

describeBotIsolation("embedded PGlite, in-memory limits", () => ({}));
