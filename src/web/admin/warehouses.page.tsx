import type { FastifyInstance, FastifyReply } from 'fastify';
import { NewWarehouseBody } from '../../http/routes/inventory-admin.routes.ts';
import type { Warehouse } from '../../modules/inventory/index.ts';
import { CsrfField, Field, FormAlert, Notice } from '../components/form.tsx';
import type { Web } from '../context.ts';
import { verifyCsrf } from '../csrf.ts';
import { errorsFromAppError, validateForm, type FieldErrors } from '../forms.ts';
import { resolveWebSession } from '../session.ts';
import { requireStaff, textOf, type Staff } from './access.ts';
import { AdminLayout } from './layout.tsx';

const FIELDS = ['code', 'name', 'postal_code', 'country', 'processing_sla_hours'] as const;

function Warehouses(props: { warehouses: Warehouse[]; csrf: string; values: Record<string, string>; errors?: FieldErrors; created?: boolean }): JSX.Element {
  const { values: v, errors } = props;
  return (
    <>
      {props.created ? (
        <Notice kind="success">
          <p>The warehouse is added; stock can now be placed in it from each product's page.</p>
        </Notice>
      ) : (
        ''
      )}
      <h1>Warehouses</h1>
      <div class="table-wrap">
        <table class="list" aria-label="Warehouses">
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Name</th>
              <th scope="col">Postal code</th>
              <th scope="col" class="num">
                Processing (hours)
              </th>
              <th scope="col">Active</th>
            </tr>
          </thead>
          <tbody>
            {props.warehouses.map((w) => (
              <tr>
                <td safe>{w.code}</td>
                <td safe>{w.name}</td>
                <td safe>{`${w.postalCode} ${w.country}`}</td>
                <td class="num" safe>{String(w.processingSlaHours)}</td>
                <td>{w.active ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="panel form-narrow" aria-labelledby="new-warehouse-title">
        <h2 id="new-warehouse-title">Add a warehouse</h2>
        <FormAlert errors={errors} />
        <form method="post" action="/admin/warehouses" novalidate data-once>
          <CsrfField token={props.csrf} />
          <Field name="code" label="Code" value={v.code} errors={errors} hint="2-32 letters, digits, - or _" maxlength={32} required />
          <Field name="name" label="Name" value={v.name} errors={errors} maxlength={200} required />
          <Field name="postal_code" label="Postal code" value={v.postal_code} errors={errors} hint="Locates the warehouse for delivery estimates" maxlength={12} required />
          <Field name="country" label="Country" value={v.country ?? 'US'} errors={errors} maxlength={2} required />
          <Field name="processing_sla_hours" label="Processing time (hours)" type="number" value={v.processing_sla_hours ?? '24'} errors={errors} />
          <button class="primary" type="submit">
            Add warehouse
          </button>
        </form>
      </section>
    </>
  );
}

export function registerAdminWarehousesPage(app: FastifyInstance, web: Web): void {
  const { inventory, identity } = web.services;
  const session = resolveWebSession(identity);
  const render = async (reply: FastifyReply, staff: Staff, values: Record<string, string>, extra: { errors?: FieldErrors; created?: boolean } = {}, status = 200) =>
    web.sendPrivate(
      reply,
      <AdminLayout title="Warehouses" staff={staff} section="warehouses">
        <Warehouses warehouses={await inventory.listWarehouses()} csrf={staff.csrf} values={values} {...extra} />
      </AdminLayout>,
      status,
    );

  app.get('/admin/warehouses', { preHandler: session }, async (request, reply) => {
    const staff = await requireStaff(web, request, reply);
    if (!staff) return reply;
    return render(reply, staff, {}, { created: textOf(request.query, 'done') === 'created' });
  });

  app.post('/admin/warehouses', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    const staff = await requireStaff(web, request, reply);
    if (!staff) return reply;
    const form = validateForm(NewWarehouseBody, request.body, FIELDS);
    if (!form.ok) return render(reply, staff, form.values, { errors: form.errors }, 400);
    const b = form.value;
    try {
      await inventory.createWarehouse({ code: b.code, name: b.name, postalCode: b.postal_code, country: b.country.toUpperCase(), ...(b.processing_sla_hours !== undefined ? { processingSlaHours: b.processing_sla_hours } : {}) });
    } catch (error) {
      const errors = errorsFromAppError(error, { warehouse_code_taken: 'code', unknown_postal_code: 'postal_code', unsupported_country: 'country', invalid_processing_sla: 'processing_sla_hours' });
      return render(reply, staff, Object.fromEntries(FIELDS.map((f) => [f, textOf(request.body, f) ?? ''])), { errors }, 409);
    }
    return reply.redirect('/admin/warehouses?done=created', 303);
  });
}
