/**
 * fnd as a library: start a node in-process, or build its HTTP handler around your own
 * datastore and agent.
 *
 * ```ts
 * import { loadConfig, startNode } from "./mod.ts";
 * await using node = await startNode(loadConfig());
 * ```
 *
 * @module
 */

export {
  type Config,
  ConfigError,
  loadConfig,
  type NodeType,
  type ServerConfig,
} from "./src/config.ts";
export {
  type RunningNode,
  startNode,
  type StartNodeOptions,
  UnsupportedNodeTypeError,
} from "./src/node.ts";
export { createHandler, type HandlerOptions, type HttpHandler } from "./src/api/handler.ts";
export type {
  EntityLookup,
  RouteContext,
  RouteHandler,
  Services,
} from "./src/api/route_context.ts";
export { ROUTES, type RouteSpec } from "./src/api/routes.ts";
export type { Datastore } from "./src/datastore/datastore.ts";
export type { Agent, CallRequest, CallResponse } from "./src/agent/call.ts";
export { APIError, isAPIError } from "./src/models/api_error.ts";
export type { Annotations, App, Config as AppConfig } from "./src/models/app.ts";
export type { Fn } from "./src/models/fn.ts";
export type { Trigger } from "./src/models/trigger.ts";
