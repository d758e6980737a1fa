import { z } from 'zod';

/** The body of every error response. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable code: invalid_request, unauthenticated, forbidden, not_found, ...'),
      message: z.string(),
      fields: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .describe('400: each invalid field, e.g. `body.name`, `query.page_size`'),
      diagnostics: z
        .array(
          z.object({
            severity: z.enum(['error', 'warning']),
            file: z.string(),
            line: z.number().int(),
            column: z.number().int(),
            path: z.string(),
            code: z.string(),
            message: z.string(),
            hint: z.string().optional(),
          }),
        )
        .optional()
        .describe('422: every diagnostic of the cluster definition'),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;
