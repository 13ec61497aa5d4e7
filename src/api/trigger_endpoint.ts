/**
 * Adds the HTTP endpoint annotation to triggers for responses; it needs the app's name.
 *
 * @module
 */

import type { Datastore } from "../datastore/datastore.ts";
import type { Trigger } from "../models/trigger.ts";
import { endpointBase, withHttpEndpoint } from "./endpoint_annotations.ts";
import type { JsonText } from "./json_text.ts";
import { encodeTrigger } from "./trigger_wire.ts";

/**
 * Returns an encoder of triggers of app `appId` with their endpoint annotation. When
 * the app cannot be read (it was deleted meanwhile, or the database fails) and
 * `required` is true, that is an internal error (500), as in Fn; otherwise the
 * triggers are encoded without the annotation.
 */
export async function triggerEncoder(
  ds: Datastore,
  req: Request,
  publicLbUrl: string,
  appId: string,
  required: boolean,
): Promise<(trigger: Trigger) => JsonText> {
  let appName: string;
  try {
    appName = (await ds.getAppById(appId)).name;
  } catch (err) {
    if (required) throw new Error(`reading app ${appId} of a trigger failed`, { cause: err });
    return (trigger) => encodeTrigger(trigger);
  }
  const base = endpointBase(req, publicLbUrl);
  return (trigger) => encodeTrigger(trigger, withHttpEndpoint(trigger, appName, base));
}
