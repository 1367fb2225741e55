// Every model the caller may see, with a text search and a state filter (GET /api/v1/models).
import { json } from '../api.js';
import { h, replace } from '../dom.js';
import type { Page } from '../page.js';
import type { Model } from '../types.js';
import { failure, section, table, time } from '../view.js';
import { modelLink } from './project.js';

/** The models list (`#/models?q=...&state=...`). */
export const modelsPage: Page = async (ctx) => {
  ctx.title('Models');
  const q = ctx.query.get('q') ?? '';
  const state = ['LIVE', 'ARCHIVED', 'all'].includes(ctx.query.get('state') ?? '') ? ctx.query.get('state')! : 'LIVE';
  const search = h('input', { id: 'model-search', name: 'q', type: 'search', value: q, maxlength: 200 });
  const stateSelect = h('select', { id: 'model-state', name: 'state' }, ['LIVE', 'ARCHIVED', 'all'].map((s) => h('option', { value: s }, s === 'all' ? 'all states' : s.toLowerCase())));
  stateSelect.value = state;
  const form = h('form', { class: 'filters', role: 'search' },
    h('label', { for: 'model-search' }, 'Search'), search,
    h('label', { for: 'model-state' }, 'State'), stateSelect,
    h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (search.value.trim()) params.set('q', search.value.trim());
    if (stateSelect.value !== 'LIVE') params.set('state', stateSelect.value);
    const query = params.toString();
    location.hash = `#/models${query ? `?${query}` : ''}`;
  });
  const params = new URLSearchParams({ state, limit: '1000' });
  if (q) params.set('q', q);
  let list: HTMLElement;
  try {
    const models = await json<Model[]>(`/api/v1/models?${params}`);
    list = table('Models', ['Model', 'Project', 'State', 'Updated'], models.map((m) => [modelLink(m.name), m.project, m.state.toLowerCase(), time(m.updatedAt)]), q ? 'No model matches.' : 'No models yet.');
  } catch (err) {
    list = failure('models', err);
  }
  if (!ctx.current()) return;
  replace(ctx.main, h('h1', null, 'Models'), form, section('Results', list));
};
