// The registry token endpoint of Docker token auth: GET with Basic credentials and repeated `scope`,
// and the OAuth2 POST form (password and refresh_token grants). Tokens are short-lived JWTs.
// https://distribution.github.io/distribution/spec/auth/token/ and .../spec/auth/oauth/
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Principal } from '../../core/access/permissions.js';
import { RegistryError } from '../../core/errors.js';
import { toRegistryError } from '../errors.js';
import { ociErrorBody } from '../oci/errors.js';
import { authenticate, type AuthenticationDeps } from './authenticate.js';

/** Registers GET and POST /auth/token. */
export async function tokenRoutes(app: FastifyInstance, deps: AuthenticationDeps): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, new URLSearchParams(body as string));
  });
  app.setErrorHandler((err, req, reply) => {
    const error = toRegistryError(err);
    if (error.code === 'INTERNAL') req.log.error({ err }, 'token endpoint failure');
    if (error.status === 401) reply.header('www-authenticate', `Basic realm="${deps.tokens.service}"`);
    return reply.code(error.status).send(ociErrorBody(error));
  });

  app.get('/auth/token', async (req, reply) => {
    const query = new URLSearchParams(req.url.split('?', 2)[1] ?? '');
    checkService(query.get('service'), deps);
    const { principal } = await authenticate(req, deps);
    return sendToken(reply, deps, principal, query.getAll('scope'));
  });

  app.post('/auth/token', async (req: FastifyRequest, reply) => {
    const form = req.body instanceof URLSearchParams ? req.body : new URLSearchParams();
    checkService(form.get('service'), deps);
    const grant = form.get('grant_type');
    let principal: Principal = ANONYMOUS;
    if (grant === 'password') {
      principal = (await deps.authenticator.basic(form.get('username') ?? '', form.get('password') ?? '', req.ip)) ?? fail();
    } else if (grant === 'refresh_token') {
      principal = (await deps.authenticator.bearerSecret(form.get('refresh_token') ?? '', req.ip)) ?? fail();
    } else {
      throw new RegistryError('UNSUPPORTED', 'grant_type must be password or refresh_token', { status: 400 });
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    return sendToken(reply, deps, principal, scopes);
  });
}

async function sendToken(reply: FastifyReply, deps: AuthenticationDeps, principal: Principal, scopes: string[]) {
  const issued = await deps.tokens.issue(principal, scopes);
  return reply.header('cache-control', 'no-store').send({ ...issued, scope: scopes.join(' ') });
}

function checkService(service: string | null, deps: AuthenticationDeps): void {
  if (service !== null && service !== deps.tokens.service) {
    throw new RegistryError('DENIED', `this token service is "${deps.tokens.service}", not "${service.slice(0, 100)}"`);
  }
}

function fail(): never {
  throw new RegistryError('UNAUTHORIZED', 'invalid credentials');
}
