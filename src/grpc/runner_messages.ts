/**
 * TypeScript shapes of the `RunnerProtocol` messages (`proto/runner.proto`) as
 * `@grpc/proto-loader` presents them with the options in `runner_proto.ts`:
 * camelCase field names, int64/uint64 as `number`, oneofs named by a `body`/`meta`
 * discriminator, and every scalar filled with its default on decode.
 *
 * Durations are int64 **nanoseconds**; timestamps are strings
 * `YYYY-MM-DDTHH:MM:SS.mmmZ`. Decoded messages (`Decoded*`) have every field; the
 * plain types are what a sender writes (omitted fields encode as defaults).
 *
 * @module
 */

/** First message of an Engage stream: the call to run. */
export interface TryCall {
  readonly modelsCallJson: string;
  /** Hex container-sharing key; `""` lets the runner compute its own. */
  readonly slotHashId?: string;
  readonly extensions?: Readonly<Record<string, string>>;
}

/** A piece of a request or response body. */
export interface DataFrame {
  readonly data?: Uint8Array;
  readonly eof?: boolean;
}

/** One header value (multi-valued headers repeat the key). */
export interface HttpHeader {
  readonly key: string;
  readonly value: string;
}

/** Status and headers of the function's response. */
export interface HttpRespMeta {
  readonly statusCode: number;
  readonly headers: readonly HttpHeader[];
}

/** The response head. */
export interface CallResultStart {
  readonly http?: HttpRespMeta;
  /** Set on decode: which oneof case is present. */
  readonly meta?: "http";
}

/** How a call ended (success, function error or NACK). */
export interface CallFinished {
  readonly success?: boolean;
  /** The call id. */
  readonly details?: string;
  readonly errorCode?: number;
  readonly errorStr?: string;
  readonly createdAt?: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
  readonly schedulerDuration?: number;
  readonly executionDuration?: number;
  readonly errorUser?: boolean;
  readonly image?: string;
  readonly imagePullWaitDuration?: number;
  readonly ctrPrepDuration?: number;
  readonly ctrCreateDuration?: number;
  readonly initStartTime?: number;
}

/** LB → runner message, as written. */
export type ClientMsg = { readonly try: TryCall } | { readonly data: DataFrame };

/** LB → runner message, as decoded. */
export type DecodedClientMsg =
  | { readonly body: "try"; readonly try: Required<TryCall> }
  | { readonly body: "data"; readonly data: Required<DataFrame> }
  | { readonly body?: undefined };

/** Runner → LB message, as written. */
export type RunnerMsg =
  | { readonly resultStart: CallResultStart }
  | { readonly data: DataFrame }
  | { readonly finished: CallFinished };

/** Runner → LB message, as decoded. */
export type DecodedRunnerMsg =
  | { readonly body: "resultStart"; readonly resultStart: CallResultStart }
  | { readonly body: "data"; readonly data: Required<DataFrame> }
  | { readonly body: "finished"; readonly finished: Required<CallFinished> }
  | { readonly body?: undefined };

/** Answer of `Status` / `Status2`. */
export interface RunnerStatus {
  readonly active?: number;
  readonly failed?: boolean;
  /** Id of the status call, when a status image ran. */
  readonly id?: string;
  /** The status image's response body. */
  readonly details?: string;
  readonly errorCode?: number;
  readonly errorStr?: string;
  readonly createdAt?: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
  /** True when this answer came from the 1.5 s cache. */
  readonly cached?: boolean;
  readonly requestsReceived?: number;
  readonly requestsHandled?: number;
  readonly kdumpsOnDisk?: number;
  readonly schedulerDuration?: number;
  readonly executionDuration?: number;
  readonly isNetworkDisabled?: boolean;
  readonly customStatus?: Readonly<Record<string, string>>;
  readonly imagePullWaitDuration?: number;
  readonly ctrPrepDuration?: number;
  readonly ctrCreateDuration?: number;
  readonly initStartTime?: number;
}

/** `ConfigureRunner` request. */
export interface ConfigMsg {
  readonly config: Readonly<Record<string, string>>;
}

/** A `google.protobuf.Value` as proto-loader decodes it (`kind` names the case). */
export interface ProtoValue {
  readonly kind?: string;
  readonly nullValue?: string | number;
  readonly numberValue?: number;
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly structValue?: ProtoStruct;
  readonly listValue?: { readonly values?: readonly ProtoValue[] };
}

/** A `google.protobuf.Struct` (the `Status2` request). */
export interface ProtoStruct {
  readonly fields?: Readonly<Record<string, ProtoValue>>;
}
