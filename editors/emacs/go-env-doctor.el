;;; go-env-doctor.el --- go-env-doctor through eglot  -*- lexical-binding: t; -*-

;; Finds where the Go environment Emacs gives its tools (gopls, go) and your login shell's
;; disagree, and shows it where the value is configured.  See README.md next to this file.
;;
;; Needs: Emacs 28 with eglot (Debian: `apt-get install --no-install-recommends elpa-eglot';
;; built into Emacs 29+), go-mode for go.mod (Debian `elpa-go-mode', or MELPA `go-mode'; only
;; with `go-env-doctor-go-mod'), and `go-env-doctor' on `exec-path'.
;;
;; Set the options below BEFORE loading this file; it reads them when it loads.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'project)

(defgroup go-env-doctor nil
  "Compare Emacs' Go environment with the login shell's."
  :group 'tools)

(defcustom go-env-doctor-program '("go-env-doctor" "serve")
  "Command line of the language server."
  :type '(repeat string))

(defcustom go-env-doctor-options '(:shellTimeoutSeconds 10 :trusted :json-false)
  "Server options, sent as initializationOptions and as the goEnvDoctor section.
:shell (login shell to probe), :shellTimeoutSeconds, :trusted (run a `go' the
project chooses; :json-false only inspects it), :disabledChecks (a vector of
finding codes)."
  :type 'plist)

(defcustom go-env-doctor-go-mod nil
  "Non-nil: go-env-doctor, not gopls, manages go.mod and go.work buffers.
eglot gives a buffer one server, so this takes go.mod from gopls (its go.mod
diagnostics and code lenses); .go buffers stay with gopls.  Without it,
go-env-doctor reports in .vscode/settings.json, *.code-workspace and
.idea/workspace.xml only, and `go-env-doctor-report' shows everything."
  :type 'boolean)

(defcustom go-env-doctor-auto-start t
  "Non-nil: start go-env-doctor (`eglot-ensure') when one of its files opens."
  :type 'boolean)

;; A class of our own: its methods below send the editor's name and show the Emacs setup the
;; server writes, without changing how eglot treats other servers.
(defclass go-env-doctor-server (eglot-lsp-server) ()
  :documentation "go-env-doctor's language server.")

;; Only the files go-env-doctor reports in, not every JSON or XML buffer: modes of their own,
;; derived from the usual ones (Emacs 29+ js-json-mode; MELPA json-mode; else Emacs 28's
;; js-mode, which reads JSON with comments), so their hooks and keys still apply.
(defalias 'go-env-doctor--json-parent-mode
  (cond ((fboundp 'js-json-mode) 'js-json-mode)
        ((fboundp 'json-mode) 'json-mode)
        (t 'js-mode)))

;;;###autoload
(define-derived-mode go-env-doctor-json-mode go-env-doctor--json-parent-mode "JSON[ged]"
  "JSON mode for .vscode/settings.json and *.code-workspace (go-env-doctor).")

;;;###autoload
(define-derived-mode go-env-doctor-xml-mode nxml-mode "XML[ged]"
  "nXML mode for .idea/workspace.xml (GoLand), checked by go-env-doctor.")

(add-to-list 'auto-mode-alist '("/\\.vscode/settings\\.json\\'" . go-env-doctor-json-mode))
(add-to-list 'auto-mode-alist '("\\.code-workspace\\'" . go-env-doctor-json-mode))
(add-to-list 'auto-mode-alist '("/\\.idea/workspace\\.xml\\'" . go-env-doctor-xml-mode))

(defconst go-env-doctor--go-mod-modes
  '(go-dot-mod-mode go-mod-ts-mode go-dot-work-mode go-work-ts-mode)
  "go.mod / go.work modes: go-mode's (Emacs 28) and the tree-sitter ones (29+).")

(defun go-env-doctor--modes ()
  "The major modes go-env-doctor manages, with their LSP language ids."
  (append '((go-env-doctor-json-mode :language-id "jsonc")
            (go-env-doctor-xml-mode :language-id "xml"))
          (when go-env-doctor-go-mod
            '((go-dot-mod-mode :language-id "go.mod")
              (go-mod-ts-mode :language-id "go.mod")
              (go-dot-work-mode :language-id "go.work")
              (go-work-ts-mode :language-id "go.work")))))

(defun go-env-doctor--buffer-p ()
  "Whether the current buffer is one go-env-doctor manages."
  (apply #'derived-mode-p (mapcar #'car (go-env-doctor--modes))))

(defun go-env-doctor--contact (&optional _interactive)
  "How eglot starts the server (`eglot-server-programs')."
  (cons 'go-env-doctor-server go-env-doctor-program))

(cl-defmethod eglot-initialization-options ((_server go-env-doctor-server))
  ;; eglot 1.9 sends no clientInfo: the name tells the server whose environment it runs in,
  ;; so messages and fixes say "Emacs".
  (if (plist-member go-env-doctor-options :editor)
      go-env-doctor-options
    (append '(:editor "Emacs") go-env-doctor-options)))

;; Without version control `project-current' finds nothing, eglot's project becomes the
;; buffer's directory (`.vscode/' for settings.json) and the server checks the wrong folder.
;; For go-env-doctor's buffers the project is the directory with go.work, else go.mod, else
;; the folder holding .vscode/ or .idea/ (or the *.code-workspace file).
(defun go-env-doctor--root (dir)
  "go-env-doctor's workspace folder for a buffer in DIR, or nil."
  (or (locate-dominating-file dir "go.work")
      (locate-dominating-file dir "go.mod")
      (let ((name (and buffer-file-name (expand-file-name buffer-file-name))))
        (cond ((null name) nil)
              ((string-match "\\`\\(.*/\\)\\.\\(vscode\\|idea\\)/[^/]+\\'" name)
               (match-string 1 name))
              (t (file-name-directory name))))))

(defun go-env-doctor--project (dir)
  "Member of `project-find-functions': go-env-doctor's project for DIR.
Only for go-env-doctor's buffers, and only when eglot asks."
  (when (and (bound-and-true-p eglot-lsp-context) (go-env-doctor--buffer-p))
    (let ((root (go-env-doctor--root dir)))
      (when root
        (cons 'go-env-doctor (file-name-as-directory (expand-file-name root)))))))

(cl-defmethod project-root ((project (head go-env-doctor)))
  (cdr project))

(add-hook 'project-find-functions #'go-env-doctor--project)

(defun go-env-doctor--drop-modes (modes)
  "Remove MODES from every `eglot-server-programs' entry but go-env-doctor's.
eglot >= 1.12 lists go.mod modes for gopls; left there, gopls's server claims
go.mod buffers and eglot asks \"Live process found, reconnect instead?\"."
  (let ((keep (lambda (spec) (not (memq (if (consp spec) (car spec) spec) modes)))))
    (setq eglot-server-programs
          (cl-mapcan
           (lambda (entry)
             (let ((specs (car entry)))
               (cond ((eq (cdr entry) #'go-env-doctor--contact) (list entry))
                     ;; One mode, maybe with :language-id.
                     ((or (symbolp specs) (keywordp (cadr specs)))
                      (and (funcall keep specs) (list entry)))
                     (t (let ((kept (cl-remove-if-not keep specs)))
                          (and kept (list (cons kept (cdr entry)))))))))
           eglot-server-programs))))

(defun go-env-doctor--with-section (conf)
  "CONF, an `eglot-workspace-configuration' value, with a :goEnvDoctor section.
Its other sections (your :gopls settings) stay as they are."
  (cond ((functionp conf)
         (lambda (server) (go-env-doctor--with-section (funcall conf server))))
        ((and (consp conf) (consp (car conf)))
         ;; The alist form ((SECTION . VALUE) ...).
         (if (or (assq 'goEnvDoctor conf) (assq :goEnvDoctor conf))
             conf
           (append conf (list (cons :goEnvDoctor go-env-doctor-options)))))
        ((plist-member conf :goEnvDoctor) conf)
        (t (append conf (list :goEnvDoctor go-env-doctor-options)))))

(defun go-env-doctor-setup ()
  "Register go-env-doctor with eglot.  Runs when this file loads."
  (let ((modes (go-env-doctor--modes)))
    (setq eglot-server-programs
          (cl-remove #'go-env-doctor--contact eglot-server-programs :key #'cdr))
    (push (cons modes #'go-env-doctor--contact) eglot-server-programs)
    (when go-env-doctor-go-mod
      (go-env-doctor--drop-modes go-env-doctor--go-mod-modes))
    (setq-default eglot-workspace-configuration
                  (go-env-doctor--with-section
                   (default-value 'eglot-workspace-configuration)))
    (when go-env-doctor-auto-start
      (dolist (m modes)
        (add-hook (intern (format "%s-hook" (car m))) #'eglot-ensure)))))

(go-env-doctor-setup)

;;; The Emacs setup the server writes (`goEnvDoctor.editorSetup')

(defvar go-env-doctor--setup-buffer "*go-env-doctor: Emacs setup*")

(defun go-env-doctor--show-setup (result)
  "Show RESULT of goEnvDoctor.editorSetup.
Its text is elisp giving Emacs the login shell's environment."
  (let ((text (plist-get result :text))
        (why (plist-get result :explanation)))
    (when (stringp text)
      (with-current-buffer (get-buffer-create go-env-doctor--setup-buffer)
        (let ((inhibit-read-only t))
          (erase-buffer)
          (emacs-lisp-mode)
          (when (stringp why)
            (insert (replace-regexp-in-string "^" ";; " why) "\n"))
          (insert ";; M-x go-env-doctor-apply-setup evaluates this and restarts eglot's"
                  " servers;\n;; put it in your init file to keep it.\n\n" text)
          (unless (bolp) (insert "\n"))
          (goto-char (point-min)))
        (display-buffer (current-buffer))))))

;; eglot 1.9 - 1.15 run a code action's command here and drop its result.
(cl-defmethod eglot-execute-command ((_server go-env-doctor-server) command _arguments)
  (let ((result (cl-call-next-method)))
    (when (equal (format "%s" command) "goEnvDoctor.editorSetup")
      (go-env-doctor--show-setup result))
    result))

;; Newer eglot runs commands through `eglot-execute'.
(when (and (fboundp 'eglot-execute) (cl-generic-p 'eglot-execute))
  (cl-defmethod eglot-execute ((_server go-env-doctor-server) action)
    (let ((result (cl-call-next-method)))
      (when (equal (plist-get action :command) "goEnvDoctor.editorSetup")
        (go-env-doctor--show-setup result))
      result)))

(defun go-env-doctor-apply-setup (&optional text)
  "Evaluate TEXT (default: the setup buffer), then restart every eglot server.
The servers (gopls too) start again with the new `process-environment' and
`exec-path'."
  (interactive)
  (let ((text (or text
                  (with-current-buffer go-env-doctor--setup-buffer
                    (buffer-string)))))
    (with-temp-buffer
      (insert text)
      (eval-buffer))
    (let (servers)
      (maphash (lambda (_project ss) (setq servers (append ss servers)))
               eglot--servers-by-project)
      (dolist (s servers)
        (eglot-reconnect s)))))

(defun go-env-doctor-report ()
  "Show the report (the same as `go-env-doctor check') for this buffer's project."
  (interactive)
  (let* ((server (eglot--current-server-or-lose))
         (md (jsonrpc-request server :workspace/executeCommand
                              '(:command "goEnvDoctor.report" :arguments []))))
    (with-current-buffer (get-buffer-create "*go-env-doctor report*")
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert md)
        (goto-char (point-min)))
      (display-buffer (current-buffer)))))

(provide 'go-env-doctor)
;;; go-env-doctor.el ends here
