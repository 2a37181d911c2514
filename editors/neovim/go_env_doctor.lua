-- go-env-doctor for Neovim 0.11+ (vim.lsp.config / vim.lsp.enable).
--
-- Runs beside gopls (never instead of it): diagnostics where a Go environment value is
-- configured (.vscode/settings.json, *.code-workspace, go.mod, go.work, .idea/*.xml), quick
-- fixes that rewrite it, hovers comparing the editor's and the login shell's Go.
--
-- Use: copy this file into your config (e.g. ~/.config/nvim/plugin/go_env_doctor.lua) or
-- `dofile()` it from init.lua. Optional overrides, set BEFORE this file runs:
--
--   vim.g.go_env_doctor = {
--     cmd = { '/path/to/go-env-doctor', 'serve' },   -- default: go-env-doctor from PATH
--     init_options = { trusted = true },             -- merged over the defaults below
--   }
--
-- init_options (the same object as the `goEnvDoctor` configuration section):
--   shell               login shell to probe (default: $SHELL, then the passwd entry)
--   shellTimeoutSeconds how long the shell may take to print its environment (10)
--   trusted             run a `go` chosen by the workspace (go.goroot / go.alternateTools.go in
--                       .vscode/settings.json, a go binary inside the project); false: such a
--                       binary is only inspected, never executed (untrusted-not-executed)
--   disabledChecks      finding codes to silence, e.g. { 'gocache-off' }
--   logLevel            server log level on stderr (see :LspLog), e.g. 'debug'

local user = vim.g.go_env_doctor or {}

local init_options = vim.tbl_deep_extend('force', {
  trusted = false,
  shellTimeoutSeconds = 10,
  disabledChecks = {},
}, user.init_options or {})

vim.lsp.config('go_env_doctor', {
  cmd = user.cmd or { 'go-env-doctor', 'serve' },
  -- go.mod / go.work / settings.json (json or jsonc, by Neovim's detection) / .idea/*.xml.
  -- The server only reports on the files it covers; other JSON/XML buffers stay quiet.
  filetypes = { 'gomod', 'gowork', 'json', 'jsonc', 'xml' },
  root_markers = { 'go.work', 'go.mod', '.git' },
  init_options = init_options,
  -- Answered on workspace/configuration; the server pulls it again on :lua
  -- vim.lsp.buf_notify(0, 'workspace/didChangeConfiguration', { settings = vim.NIL }).
  settings = { goEnvDoctor = init_options },
  -- gopls' own settings (vim.lsp.config('gopls', { settings = { gopls = … } })) are what your
  -- gopls runs with: the server checks them too, e.g. a `build.env` GOPATH of '~/go', which
  -- gopls takes literally. Read when the server starts, so gopls may be configured later.
  before_init = function(_, config)
    local ok, gopls = pcall(function()
      return vim.lsp.config.gopls
    end)
    local settings = ok and gopls and gopls.settings and gopls.settings.gopls
    if settings then
      -- In place: the client answers from this very table.
      config.settings.gopls = settings
    end
  end,
})

vim.lsp.enable('go_env_doctor')

-- :GoEnvDoctorReport opens the Markdown report (same content as `go-env-doctor check`);
-- :GoEnvDoctorRecheck probes the shell and go again.
local function client()
  return vim.lsp.get_clients({ name = 'go_env_doctor' })[1]
end

vim.api.nvim_create_user_command('GoEnvDoctorRecheck', function()
  local c = client()
  if not c then
    return vim.notify('go-env-doctor is not running', vim.log.levels.WARN)
  end
  c:request('workspace/executeCommand', { command = 'goEnvDoctor.recheck', arguments = {} })
end, { desc = 'go-env-doctor: probe the shell and go again' })

vim.api.nvim_create_user_command('GoEnvDoctorReport', function()
  local c = client()
  if not c then
    return vim.notify('go-env-doctor is not running', vim.log.levels.WARN)
  end
  c:request(
    'workspace/executeCommand',
    { command = 'goEnvDoctor.report', arguments = {} },
    function(err, result)
      if err or type(result) ~= 'string' then
        return vim.notify('go-env-doctor report failed: ' .. vim.inspect(err), vim.log.levels.ERROR)
      end
      vim.cmd('new')
      vim.bo.buftype = 'nofile'
      vim.bo.filetype = 'markdown'
      vim.api.nvim_buf_set_lines(0, 0, -1, false, vim.split(result, '\n'))
    end
  )
end, { desc = 'go-env-doctor: show the report' })
