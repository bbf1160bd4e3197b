import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from './logger.ts';

/**
 * OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. While off, `withSpan`
 * calls its function directly and `currentTraceContext` returns nothing: no span objects, no
 * context switches, no bytes in the outbox. On, spans go to the OTLP/HTTP endpoint in batches.
 */
let enabled = false;

export { SpanKind };

export interface TracingOptions {
  /** OTLP/HTTP base URL, e.g. http://collector:4318 (spans are posted to <endpoint>/v1/traces). */
  endpoint?: string;
  serviceName: string;
  /** Test seam: spans go here, one by one (e.g. an InMemorySpanExporter). */
  exporter?: SpanExporter;
  logger?: Logger;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Flushes the spans still buffered and switches tracing off again. */
  shutdown(): Promise<void>;
}

/** Starts tracing for this process when an endpoint (or a test exporter) is given; otherwise a no-op. */
export function startTracing(options: TracingOptions): Tracing {
  if (!options.endpoint && !options.exporter) return { enabled: false, shutdown: async () => {} };
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': options.serviceName }), spanProcessors: [processor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  options.logger?.info({ endpoint: options.endpoint, service: options.serviceName }, 'tracing on: spans exported by OTLP');
  return {
    enabled: true,
    async shutdown() {
      enabled = false;
      try {
        await provider.shutdown();
      } catch (error) {
        options.logger?.warn({ err: error }, 'could not flush the last spans');
      }
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export function tracingEnabled(): boolean {
  return enabled;
}

export interface SpanOptions {
  attributes?: Attributes;
  kind?: SpanKind;
  /** Parent context (e.g. extracted from an event); default the active one. */
  parent?: Context;
}

/**
 * Runs `run` inside a span named `name` (ended when it settles; a thrown error is recorded and
 * marks it failed). With tracing off it is a direct call.
 */
export function withSpan<T>(name: string, options: SpanOptions, run: (span?: Span) => Promise<T>): Promise<T> {
  if (!enabled) return run();
  const tracer = trace.getTracer('bazaar');
  return tracer.startActiveSpan(name, { ...(options.attributes ? { attributes: options.attributes } : {}), kind: options.kind ?? SpanKind.INTERNAL }, options.parent ?? context.active(), async (span) => {
    try {
      return await run(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The active trace context as W3C headers (traceparent, tracestate), to travel with an event; undefined when off or outside a span. */
export function currentTraceContext(): Record<string, string> | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** The context carried by `headers` (see currentTraceContext), for a span that continues that trace. */
export function traceContextFrom(headers: Record<string, string> | undefined): Context | undefined {
  if (!enabled || !headers) return undefined;
  return propagation.extract(ROOT_CONTEXT, headers);
}

/**
 * Wraps `target[method]` so each call runs in a span named `name`. Used by the composition root
 * to trace module ports (the checkout saga's steps) without the modules knowing about tracing.
 */
export function traceMethod<T extends object, K extends keyof T>(target: T, method: K, name: string, attributes?: (...args: any[]) => Attributes): void {
  const original = target[method];
  if (typeof original !== 'function') throw new Error(`${String(method)} is not a method`);
  const bound = (original as (...args: unknown[]) => Promise<unknown>).bind(target);
  target[method] = ((...args: unknown[]) => {
    if (!enabled) return bound(...args);
    return withSpan(name, attributes ? { attributes: attributes(...args) } : {}, () => bound(...args));
  }) as T[K];
}
