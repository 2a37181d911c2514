" go-env-doctor for Vim 8.2+ / 9 with ALE 3.x (Debian: vim-ale).
"
" Runs beside gopls: diagnostics where a Go environment value is configured (the module line
" of go.mod, .vscode/settings.json, *.code-workspace, .idea/workspace.xml) and code actions
" (:ALECodeAction) that fix them. See README.md next to this file.
"
" Optional, set BEFORE this file is sourced:
"   let g:go_env_doctor_executable = '/path/to/go-env-doctor'   " default: from $PATH
"   let g:go_env_doctor_options = {'trusted': v:true}           " merged over the defaults

if exists('g:loaded_go_env_doctor')
  finish
endif
let g:loaded_go_env_doctor = 1

" ALE does not answer workspace/configuration; the same options go as initializationOptions and
" as a didChangeConfiguration push. ALE sends no clientInfo either: 'editor' names Vim in the
" server's messages and makes its setup text Vimscript.
function! s:Options(buffer) abort
  return extend({'shellTimeoutSeconds': 10, 'trusted': v:false, 'disabledChecks': []},
  \ get(g:, 'go_env_doctor_options', {}))
endfunction

function! s:InitOptions(buffer) abort
  return extend({'editor': 'Vim'}, s:Options(a:buffer))
endfunction

function! s:Config(buffer) abort
  return {'goEnvDoctor': s:Options(a:buffer)}
endfunction

" Only the files the server reports in: for any other JSON or XML buffer there is no executable,
" so ALE starts nothing there.
function! s:Covered(buffer) abort
  let l:name = fnamemodify(bufname(a:buffer), ':p')
  return l:name =~# '\v/go\.(mod|work)$'
  \ || l:name =~# '\v/\.vscode/settings\.json$'
  \ || l:name =~# '\v\.code-workspace$'
  \ || l:name =~# '\v/\.idea/workspace\.xml$'
endfunction

function! s:Executable(buffer) abort
  return s:Covered(a:buffer) ? get(g:, 'go_env_doctor_executable', 'go-env-doctor') : ''
endfunction

" The workspace folder: the directory with go.work, else go.mod, else the one holding .vscode/
" or .idea/ (no VCS needed).
function! s:Root(buffer) abort
  for l:marker in ['go.work', 'go.mod']
    let l:found = ale#path#FindNearestFile(a:buffer, l:marker)
    if !empty(l:found)
      return fnamemodify(l:found, ':h')
    endif
  endfor
  let l:dir = fnamemodify(bufname(a:buffer), ':p:h')
  return fnamemodify(l:dir, ':t') =~# '\v^\.(vscode|idea)$' ? fnamemodify(l:dir, ':h') : l:dir
endfunction

for s:filetype in ['gomod', 'gowork', 'json', 'jsonc', 'xml']
  call ale#linter#Define(s:filetype, {
  \ 'name': 'go_env_doctor',
  \ 'lsp': 'stdio',
  \ 'executable': function('s:Executable'),
  \ 'command': '%e serve',
  \ 'project_root': function('s:Root'),
  \ 'initialization_options': function('s:InitOptions'),
  \ 'lsp_config': function('s:Config'),
  \})
endfor
unlet s:filetype

" Vim 9.0 does not know *.code-workspace (JSON with comments).
augroup go_env_doctor
  autocmd!
  autocmd BufRead,BufNewFile *.code-workspace setfiletype jsonc
augroup END

" :GoEnvDoctorSetup shows the Vimscript that gives Vim your login shell's environment (what the
" server's "Give Vim your login shell's environment" code action computes; ALE runs that action's
" command but drops its result). :source it, or put it in your vimrc, then restart Vim.
function! s:ShowSetup(response) abort
  let l:result = get(a:response, 'result', {})
  if type(l:result) isnot v:t_dict || !has_key(l:result, 'text')
    echoerr 'go-env-doctor: no setup: ' . string(get(a:response, 'error', a:response))
    return
  endif
  let g:go_env_doctor_setup = l:result
  new
  setlocal buftype=nofile bufhidden=wipe noswapfile filetype=vim
  let l:lines = []
  for l:line in split(get(l:result, 'explanation', ''), "\n")
    call add(l:lines, '" ' . l:line)
  endfor
  call setline(1, l:lines + split(l:result.text, "\n"))
endfunction

function! s:OnActions(buffer, response) abort
  let l:actions = get(a:response, 'result', v:null)
  for l:action in type(l:actions) is v:t_list ? l:actions : []
    let l:command = get(l:action, 'command', {})
    if type(l:command) is v:t_dict && get(l:command, 'command', '') is# 'goEnvDoctor.editorSetup'
      call ale#lsp_linter#SendRequest(a:buffer, 'go_env_doctor',
      \ ale#lsp#message#ExecuteCommand(l:command.command, get(l:command, 'arguments', [])),
      \ function('s:ShowSetup'))
      return
    endif
  endfor
  echomsg 'go-env-doctor: no setup to offer for this file (no environment finding here)'
endfunction

function! GoEnvDoctorSetup() abort
  let l:buffer = bufnr('')
  " The whole buffer: the server offers the setup with any environment finding in it.
  let l:message = ale#lsp#message#CodeAction(l:buffer, 1, 1, line('$'), len(getline('$')), [])
  call ale#lsp_linter#SendRequest(l:buffer, 'go_env_doctor', l:message,
  \ function('s:OnActions', [l:buffer]))
endfunction

command! GoEnvDoctorSetup call GoEnvDoctorSetup()
