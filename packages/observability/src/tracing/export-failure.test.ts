import { describe, expect, it } from 'vitest';
import { classifyExportFailure } from './export-failure.js';

// What OpenTelemetry's error handler hands to diag.error: a JSON rendering of the error.
const diagText = (fields: Record<string, unknown>) => JSON.stringify({ stack: 'Error: …\n    at …', ...fields });

describe('classifyExportFailure', () => {
  it('names refused connections, timeouts and HTTP errors from diag text', () => {
    expect(classifyExportFailure(diagText({ message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED', name: 'Error' }))).toEqual({
      kind: 'connection_refused',
      message: 'connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(classifyExportFailure(diagText({ message: 'Request timed out', name: 'Error' }))).toEqual({ kind: 'timeout', message: 'Request timed out' });
    expect(classifyExportFailure(diagText({ message: 'Internal Server Error', code: '500', name: 'OTLPExporterError', data: '{"secret":"body"}' }))).toEqual({
      kind: 'http_error',
      message: 'HTTP 500: Internal Server Error',
    });
    expect(classifyExportFailure(diagText({ message: 'Unauthorized', code: '401', name: 'OTLPExporterError' })).kind).toBe('unauthorized');
    expect(classifyExportFailure(diagText({ message: 'getaddrinfo ENOTFOUND lf.invalid', code: 'ENOTFOUND' })).kind).toBe('dns_failed');
    expect(classifyExportFailure(diagText({ message: 'socket hang up', code: 'ECONNRESET' })).kind).toBe('connection_failed');
  });

  it('classifies the errors exporter.flush() rejects with', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyExportFailure(refused).kind).toBe('connection_refused');
    const aggregate = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:1'), { code: 'ECONNREFUSED' })], '');
    expect(classifyExportFailure(aggregate)).toEqual({ kind: 'connection_refused', message: 'connect ECONNREFUSED ::1:1' });
    expect(classifyExportFailure(Object.assign(new Error('Bad Gateway'), { code: 502 }))).toEqual({ kind: 'http_error', message: 'HTTP 502: Bad Gateway' });
    expect(classifyExportFailure('plain text from somewhere')).toEqual({ kind: 'other', message: 'plain text from somewhere' });
  });

  it('never carries secrets or the response body into the message', () => {
    const failure = classifyExportFailure(
      diagText({ message: 'rejected sk-lf-CANARY for Authorization: Basic cGstbGY6c2stbGY= and Bearer abc.def', code: '403', data: 'sk-lf-CANARY' }),
      ['sk-lf-CANARY'],
    );
    expect(failure.message).toBe('HTTP 403: rejected [redacted] for Authorization: Basic [redacted] and Bearer [redacted]');
    expect(classifyExportFailure(new Error('x'.repeat(500))).message).toHaveLength(200);
  });
});
