import { ClipboardCopyButton, CodeBlock, CodeBlockAction, CodeBlockCode } from '@patternfly/react-core';
import { useId, useState } from 'react';

/** A command or document to paste elsewhere, with a copy button that says when it worked. */
export function CopyableCode({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const id = useId();
  const [copied, setCopied] = useState<boolean | undefined>();
  const copy = () => {
    navigator.clipboard.writeText(text).then(() => setCopied(true), () => setCopied(false));
    setTimeout(() => setCopied(undefined), 2500);
  };
  const actions = (
    <CodeBlockAction>
      <ClipboardCopyButton id={`${id}-copy`} textId={`${id}-code`} aria-label={`Copy ${label}`} onClick={copy} exitDelay={copied === undefined ? 300 : 1500} variant="plain">
        {copied === false ? 'Copying failed: select the text and copy it' : copied ? 'Copied' : `Copy ${label}`}
      </ClipboardCopyButton>
    </CodeBlockAction>
  );
  return (
    <CodeBlock actions={actions}>
      <CodeBlockCode id={`${id}-code`} className="herd-code" data-testid={testId}>{text}</CodeBlockCode>
    </CodeBlock>
  );
}
