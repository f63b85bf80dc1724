import { useEffect, useState } from "react";
import { parseRoute, type Route } from "./parse-route.ts";

/** The current route, updated on every hash change (back/forward and links). */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}
