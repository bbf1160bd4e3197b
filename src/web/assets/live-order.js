// Live order tracking: refreshes the shipments section until every parcel arrived or the order is cancelled.
const section = document.querySelector('[data-live-src]');
const INTERVAL_MS = 3000;

async function refresh() {
  if (!section || section.dataset.final === 'true') return;
  try {
    const response = await fetch(section.dataset.liveSrc, { credentials: 'same-origin', headers: { accept: 'text/html' } });
    if (response.ok) {
      const html = await response.text();
      const next = document.createElement('div');
      next.innerHTML = html;
      const fresh = next.querySelector('[data-live-src]');
      if (fresh) {
        section.innerHTML = fresh.innerHTML;
        section.dataset.final = fresh.dataset.final;
        const status = document.querySelector('[data-order-status]');
        if (status && fresh.dataset.orderStatus) {
          status.textContent = fresh.dataset.orderStatusLabel;
          status.className = 'status ' + fresh.dataset.orderStatus;
        }
      }
    }
  } catch {
    /* try again on the next tick */
  }
  if (section.dataset.final !== 'true') setTimeout(refresh, INTERVAL_MS);
}

if (section) setTimeout(refresh, INTERVAL_MS);
