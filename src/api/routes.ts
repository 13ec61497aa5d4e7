/**
 * The one route table of fnd's HTTP surface. Each route belongs to a group, and a node
 * type serves only some groups (`api-v2.md` §9): full = all, api = admin + v2,
 * lb = admin + invoke, pure-runner = admin.
 *
 * @module
 */

import type { NodeType } from "../config.ts";
import { createApp } from "./apps_create.ts";
import { deleteApp } from "./apps_delete.ts";
import { getApp } from "./apps_get.ts";
import { listApps } from "./apps_list.ts";
import { updateApp } from "./apps_update.ts";
import { callsGone } from "./calls_gone.ts";
import { createFn } from "./fns_create.ts";
import { deleteFn } from "./fns_delete.ts";
import { getFn } from "./fns_get.ts";
import { invokeFn } from "./invoke.ts";
import { listFns } from "./fns_list.ts";
import { updateFn } from "./fns_update.ts";
import { getMetrics } from "./metrics.ts";
import { getRoot } from "./root.ts";
import type { RouteHandler } from "./route_context.ts";
import { ANY_METHOD } from "./router.ts";
import { getTriggerBySource } from "./runner_trigger_by_source.ts";
import { createTrigger } from "./triggers_create.ts";
import { deleteTrigger } from "./triggers_delete.ts";
import { getTrigger } from "./triggers_get.ts";
import { callTrigger } from "./trigger_call.ts";
import { listTriggers } from "./triggers_list.ts";
import { updateTrigger } from "./triggers_update.ts";
import { getVersion } from "./version.ts";

/** `admin`: `/`, `/version`, `/metrics`; `v2`: the REST API; `invoke`: calls. */
export type RouteGroup = "admin" | "v2" | "invoke";

/** One entry of the route table. */
export interface RouteSpec {
  /** An HTTP method, or `*` (`ANY_METHOD`) for every method. */
  readonly method: string;
  /** `/literal/:param/*rest` (see `router.ts`). */
  readonly path: string;
  readonly group: RouteGroup;
  readonly handle: RouteHandler;
}

/** The groups each node type serves. */
export const NODE_ROUTE_GROUPS: Readonly<Record<NodeType, readonly RouteGroup[]>> = {
  full: ["admin", "v2", "invoke"],
  api: ["admin", "v2"],
  lb: ["admin", "invoke"],
  "pure-runner": ["admin"],
};

/** Every route fnd knows. */
export const ROUTES: readonly RouteSpec[] = [
  { method: "GET", path: "/", group: "admin", handle: getRoot },
  { method: "GET", path: "/version", group: "admin", handle: getVersion },
  { method: "GET", path: "/metrics", group: "admin", handle: getMetrics },

  { method: "GET", path: "/v2/apps", group: "v2", handle: listApps },
  { method: "POST", path: "/v2/apps", group: "v2", handle: createApp },
  { method: "GET", path: "/v2/apps/:appID", group: "v2", handle: getApp },
  { method: "PUT", path: "/v2/apps/:appID", group: "v2", handle: updateApp },
  { method: "DELETE", path: "/v2/apps/:appID", group: "v2", handle: deleteApp },

  { method: "GET", path: "/v2/fns", group: "v2", handle: listFns },
  { method: "POST", path: "/v2/fns", group: "v2", handle: createFn },
  { method: "GET", path: "/v2/fns/:fnID", group: "v2", handle: getFn },
  { method: "PUT", path: "/v2/fns/:fnID", group: "v2", handle: updateFn },
  { method: "DELETE", path: "/v2/fns/:fnID", group: "v2", handle: deleteFn },
  { method: "GET", path: "/v2/fns/:fnID/calls", group: "v2", handle: callsGone },
  { method: "GET", path: "/v2/fns/:fnID/calls/:callID", group: "v2", handle: callsGone },
  { method: "GET", path: "/v2/fns/:fnID/calls/:callID/log", group: "v2", handle: callsGone },

  { method: "GET", path: "/v2/triggers", group: "v2", handle: listTriggers },
  { method: "POST", path: "/v2/triggers", group: "v2", handle: createTrigger },
  { method: "GET", path: "/v2/triggers/:triggerID", group: "v2", handle: getTrigger },
  { method: "PUT", path: "/v2/triggers/:triggerID", group: "v2", handle: updateTrigger },
  { method: "DELETE", path: "/v2/triggers/:triggerID", group: "v2", handle: deleteTrigger },

  {
    method: "GET",
    path: "/v2/runner/apps/:appID/triggerBySource/:triggerType/*source",
    group: "v2",
    handle: getTriggerBySource,
  },
  // ---- invoke and HTTP triggers (api-v2.md §8), group "invoke" (full and lb nodes) ----
  // `*source` keeps its leading "/" (so "/t/app/" gives "/"); "/t/app" has no `source`.
  { method: "POST", path: "/invoke/:fnID", group: "invoke", handle: invokeFn },
  { method: ANY_METHOD, path: "/t/:appName", group: "invoke", handle: callTrigger },
  { method: ANY_METHOD, path: "/t/:appName/*source", group: "invoke", handle: callTrigger },
  // ---- end of invoke and HTTP triggers ----
];

/** The routes a node of `nodeType` serves. */
export function routesFor(
  nodeType: NodeType,
  routes: readonly RouteSpec[] = ROUTES,
): RouteSpec[] {
  const groups = NODE_ROUTE_GROUPS[nodeType];
  return routes.filter((r) => groups.includes(r.group));
}
