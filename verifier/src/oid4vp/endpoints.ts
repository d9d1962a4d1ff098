/** Where a wallet fetches a request object and posts its answer (the routes in http/app.ts). */
export const requestObjectUrl = (baseUrl: string, id: string): string => `${baseUrl}/oid4vp/requests/${encodeURIComponent(id)}`;
export const responseUrl = (baseUrl: string, id: string): string => `${baseUrl}/oid4vp/responses/${encodeURIComponent(id)}`;
