import { QueryClient } from '@tanstack/preact-query';
import { ApiError } from './api.js';

/**
 * One cache for the whole console: a page visited again shows what it had at once and refreshes
 * behind it. A 4xx answer is not retried (it will not change by asking again); queries that wait
 * for something (a trace being written) say so themselves.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
      staleTime: 1000,
    },
  },
});
