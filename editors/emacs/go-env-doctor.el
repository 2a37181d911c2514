;;; go-env-doctor.el --- go-env-doctor with eglot  -*- lexical-binding: t; -*-
;; Put go-env-doctor on your PATH, then load this file (or copy the form into init.el).
;; eglot runs one server per major mode, so gopls keeps .go files; go-env-doctor takes
;; go.mod / go.work (go-mod-ts-mode, go-dot-mod-mode), .idea/workspace.xml (nxml-mode) and
;; .vscode/settings.json (json modes), where its findings are located.
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((go-mod-ts-mode go-dot-mod-mode go-work-ts-mode
                  nxml-mode json-ts-mode js-json-mode)
                 . ("go-env-doctor" "serve"
                    :initializationOptions (:shellTimeoutSeconds 10 :trusted :json-false))))
  (setq-default eglot-workspace-configuration
                '(:goEnvDoctor (:shellTimeoutSeconds 10 :trusted :json-false))))
;;; go-env-doctor.el ends here
