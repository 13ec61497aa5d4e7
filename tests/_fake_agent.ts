/**
 * Test doubles for handler-level tests of the call entry points: an `Agent` whose
 * answers the test scripts, and in-memory entity lookups. Never used outside tests.
 *
 * @module
 */

import type { Agent, CallOutcome, CallRequest, CallResponse } from "../src/agent/call.ts";
import type { EntityLookup, RouteContext } from "../src/api/route_context.ts";
import type { ServerConfig } from "../src/config.ts";
import { appNotFound, fnNotFound, triggerNotFound } from "../src/models/api_error.ts";
import type { App } from "../src/models/app.ts";
import type { Fn } from "../src/models/fn.ts";
import type { Trigger } from "../src/models/trigger.ts";
import { quietLog } from "./_fake_launcher.ts";

const at = new Date(0);

/** An app fixture. */
export const testApp: App = {
  id: "APP1",
  name: "myapp",
  config: {},
  annotations: {},
  createdAt: at,
  updatedAt: at,
};

/** A fn fixture of {@linkcode testApp}. */
export const testFn: Fn = {
  id: "FN1",
  name: "myfn",
  appId: "APP1",
  image: "img:1",
  memoryMb: 128,
  timeoutSeconds: 30,
  idleTimeoutSeconds: 30,
  config: {},
  annotations: {},
  createdAt: at,
  updatedAt: at,
};

/** A trigger fixture on `/probe` for {@linkcode testFn}. */
export const testTrigger: Trigger = {
  id: "TR1",
  name: "t",
  appId: "APP1",
  fnId: "FN1",
  type: "http",
  source: "/probe",
  annotations: {},
  createdAt: at,
  updatedAt: at,
};

/** Lookups over fixed entities. */
export function fixedLookup(
  apps: App[] = [testApp],
  fns: Fn[] = [testFn],
  triggers: Trigger[] = [testTrigger],
): EntityLookup {
  const find = <T>(items: T[], ok: (t: T) => boolean, missing: () => Error) => {
    const found = items.find(ok);
    return found === undefined ? Promise.reject(missing()) : Promise.resolve(found);
  };
  return {
    getAppById: (id) => find(apps, (a) => a.id === id, appNotFound),
    getAppByName: (name) => find(apps, (a) => a.name === name, appNotFound),
    getFnById: (id) => find(fns, (f) => f.id === id, fnNotFound),
    getTriggerBySource: (appId, type, source) =>
      find(
        triggers,
        (t) => t.appId === appId && t.type === type && t.source === source,
        triggerNotFound,
      ),
  };
}

/** What the scripted agent answers. */
export type Script = (call: CallRequest) => Promise<CallResponse>;

/** An outcome for scripted responses. */
export const successOutcome: CallOutcome = {
  status: "success",
  schedulerMs: 0,
  executionMs: 0,
  completedAt: at,
};

/** Answers each call with `script`; records the calls. */
export class ScriptedAgent implements Agent {
  readonly calls: CallRequest[] = [];
  script: Script;

  constructor(script: Script) {
    this.script = script;
  }

  submit(call: CallRequest): Promise<CallResponse> {
    this.calls.push(call);
    return this.script(call);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A route context for calling a handler directly. */
export function routeContext(
  url: string,
  params: Record<string, string>,
  services: { agent: Agent; lookup?: EntityLookup; maxRequestBytes?: number },
): RouteContext {
  const config = {
    nodeType: "full",
    port: 0,
    dbUrl: undefined,
    db: undefined,
    logLevel: "info",
    logFormat: "text",
    maxRequestBytes: services.maxRequestBytes ?? 0,
    publicLbUrl: "",
    corsOrigins: [],
    corsHeaders: [],
    shutdownGraceMs: 1000,
  } satisfies ServerConfig;
  return {
    url: new URL(url),
    params,
    services: {
      config,
      agent: services.agent,
      lookup: services.lookup ?? fixedLookup(),
      log: quietLog,
    },
    log: quietLog,
  };
}
