// Aegis admin pages: sends the changes made on /settings/permissions and /settings/feature-flags to the
// JSON API under /api/settings/, and runs the login form. No framework, no build step.
(function () {
  'use strict';

  const meta = (name, fallback) => {
    const el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.content : fallback;
  };
  const csrfCookie = meta('aegis-csrf-cookie', 'aegis_csrf');
  const authPrefix = meta('aegis-auth', '/api/auth');
  const statusEl = document.getElementById('status');

  function say(message, failed) {
    if (!statusEl) return;
    statusEl.textContent = message;
    statusEl.className = 'status ' + (failed ? 'error' : 'ok');
  }

  function csrfToken() {
    for (const part of document.cookie.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === csrfCookie) return decodeURIComponent(rest.join('='));
    }
    return '';
  }

  // fetch with the CSRF token; resolves to the parsed body, rejects with the API's detail.
  async function call(method, url, body) {
    const headers = { Accept: 'application/json' };
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = text; }
    }
    if (!res.ok) {
      const detail = data && data.detail;
      let message = res.status + ' ' + res.statusText;
      if (typeof detail === 'string') message = detail;
      else if (Array.isArray(detail)) message = detail.map((d) => d.msg).join('; ');
      throw new Error(message);
    }
    return data;
  }

  const enc = encodeURIComponent;
  const byData = (attr, value) => '[' + attr + '="' + CSS.escape(value) + '"]';

  // ---- /settings/permissions --------------------------------------------------------------------------
  document.querySelectorAll('input[data-role][data-permission]').forEach((box) => {
    box.addEventListener('change', async () => {
      const role = box.dataset.role;
      const granted = Array.from(document.querySelectorAll('input' + byData('data-role', role) + '[data-permission]:checked'))
        .map((b) => b.dataset.permission);
      box.disabled = true;
      try {
        await call('PUT', '/api/settings/roles/' + enc(role), { permissions: granted });
        say('Role ' + role + (box.checked ? ' now grants ' : ' no longer grants ') + box.dataset.permission + '.');
      } catch (e) {
        box.checked = !box.checked;
        say('Could not change role ' + role + ': ' + e.message, true);
      } finally {
        box.disabled = false;
      }
    });
  });

  document.querySelectorAll('input[data-user-id][data-user-role]').forEach((box) => {
    box.addEventListener('change', async () => {
      const id = box.dataset.userId;
      const roles = Array.from(document.querySelectorAll('input' + byData('data-user-id', id) + '[data-user-role]:checked'))
        .map((b) => b.dataset.userRole);
      box.disabled = true;
      try {
        const user = await call('PUT', '/api/settings/users/' + enc(id) + '/roles', { roles });
        say(user.username + ' now has the roles: ' + (user.roles.join(', ') || 'none') + '.');
      } catch (e) {
        box.checked = !box.checked;
        say('Could not change the roles: ' + e.message, true);
      } finally {
        box.disabled = false;
      }
    });
  });

  const newRole = document.getElementById('new-role');
  if (newRole) {
    newRole.addEventListener('submit', async (event) => {
      event.preventDefault();
      const name = newRole.elements.role.value.trim();
      try {
        await call('PUT', '/api/settings/roles/' + enc(name), { permissions: [] });
        location.reload();
      } catch (e) {
        say('Could not add role ' + name + ': ' + e.message, true);
      }
    });
  }

  document.querySelectorAll('button[data-delete-role]').forEach((button) => {
    button.addEventListener('click', async () => {
      const role = button.dataset.deleteRole;
      if (!window.confirm('Delete the role ' + role + '? Its users lose it.')) return;
      try {
        await call('DELETE', '/api/settings/roles/' + enc(role));
        location.reload();
      } catch (e) {
        say('Could not delete role ' + role + ': ' + e.message, true);
      }
    });
  });

  // ---- /settings/feature-flags ------------------------------------------------------------------------
  function showEffective(flag) {
    const pill = document.querySelector('section' + byData('data-flag', flag.name) + ' [data-effective]');
    if (!pill) return;
    pill.textContent = flag.enabled ? 'On' : 'Off';
    pill.className = 'pill ' + (flag.enabled ? 'on' : 'off');
  }

  document.querySelectorAll('select[data-flag-system]').forEach((select) => {
    let previous = select.value;
    select.addEventListener('change', async () => {
      const name = select.dataset.flagSystem;
      select.disabled = true;
      try {
        if (select.value === '') {
          await call('DELETE', '/api/settings/flags/' + enc(name) + '?scope=system');
          const flags = await call('GET', '/api/settings/flags');
          const flag = flags.find((f) => f.name === name);
          if (flag) showEffective(flag);
          say(name + ' follows its default again.');
        } else {
          const flag = await call('PUT', '/api/settings/flags/' + enc(name),
            { scope: 'system', subject: '', value: select.value === 'on' });
          showEffective(flag);
          say(name + ' is now ' + (flag.system ? 'on' : 'off') + ' system-wide.');
        }
        previous = select.value;
      } catch (e) {
        select.value = previous;
        say('Could not change ' + name + ': ' + e.message, true);
      } finally {
        select.disabled = false;
      }
    });
  });

  document.querySelectorAll('form.add-override').forEach((form) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const name = form.dataset.flag;
      const body = {
        scope: form.elements.scope.value,
        subject: form.elements.subject.value.trim(),
        value: form.elements.value.value === 'on',
      };
      try {
        await call('PUT', '/api/settings/flags/' + enc(name), body);
        location.reload();
      } catch (e) {
        say('Could not add the override: ' + e.message, true);
      }
    });
  });

  document.querySelectorAll('button[data-remove-override]').forEach((button) => {
    button.addEventListener('click', async () => {
      const { flag, scope, subject } = button.dataset;
      try {
        await call('DELETE', '/api/settings/flags/' + enc(flag) + '?scope=' + enc(scope) + '&subject=' + enc(subject));
        location.reload();
      } catch (e) {
        say('Could not remove the override: ' + e.message, true);
      }
    });
  });

  // ---- login and logout -------------------------------------------------------------------------------
  const login = document.getElementById('login');
  if (login) {
    login.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await call('POST', authPrefix + '/login', {
          username: login.elements.username.value,
          password: login.elements.password.value,
        });
        // Only a page of this site: never an open redirect ("//evil", "/\\evil" and "https://evil" resolve
        // to another origin and are refused).
        let target = '/settings/permissions';
        try {
          const next = new URL(new URLSearchParams(location.search).get('next') || target, location.origin);
          if (next.origin === location.origin) target = next.pathname + next.search + next.hash;
        } catch (e) { /* a malformed next: the default */ }
        location.assign(target);
      } catch (e) {
        say(e.message, true);
        login.elements.password.value = '';
        login.elements.password.focus();
      }
    });
  }

  const logout = document.getElementById('logout');
  if (logout) {
    logout.addEventListener('click', async () => {
      try {
        await call('POST', authPrefix + '/logout');
      } finally {
        location.assign('/settings/login');
      }
    });
  }
})();
