import type { FamilyDetail, Product } from '../../modules/catalog/index.ts';
import { productPath } from '../format.ts';

export interface FamilyView {
  family: FamilyDetail;
  availability: Map<string, string>;
}

/** The sibling with the current options but `value` on `axis`, if the family has that combination. */
function variantWith(family: FamilyDetail, current: Product, axis: string, value: string): Product | undefined {
  const wanted = { ...current.options, [axis]: value };
  return family.variants.find((v) => family.axes.every((a) => v.options[a.name] === wanted[a.name]));
}

/**
 * The option picker of a variation family: one group per axis, each value a link to the child
 * product with that combination (so it works without JavaScript and every child keeps its own
 * shared-cached page). A child that is sold out says so; a combination the shop does not sell
 * is shown struck through.
 */
export function OptionPicker(props: { view: FamilyView; product: Product }): JSX.Element {
  const { family, availability } = props.view;
  const current = props.product;
  return (
    <section class="options" aria-label="Options">
      {family.axes.map((axis) => (
        <fieldset>
          <legend safe>{`${axis.name}: ${current.options[axis.name] ?? ''}`}</legend>
          <ul>
            {axis.values.map((value) => {
              const variant = variantWith(family, current, axis.name, value);
              if (!variant) {
                return (
                  <li>
                    <span class="option unavailable" safe>
                      {value}
                    </span>
                    <span class="visually-hidden"> (not available)</span>
                  </li>
                );
              }
              const soldOut = availability.get(variant.id) === 'out_of_stock';
              const selected = variant.id === current.id;
              return (
                <li>
                  <a href={productPath(variant)} class={soldOut ? 'unavailable' : undefined} aria-current={selected ? 'true' : undefined}>
                    <span safe>{value}</span>
                    {soldOut ? <span class="visually-hidden"> (out of stock)</span> : ''}
                  </a>
                </li>
              );
            })}
          </ul>
        </fieldset>
      ))}
    </section>
  );
}
