import { z } from "zod";
import { readFileInJail, type ToolFiles } from "./jail-files.js";
import type { ToolDefinition } from "./types.js";

/** An image for the model: MIME type and base64 data. */
export interface ImageInput {
  readonly mimeType: "image/png" | "image/jpeg" | "image/gif" | "image/webp";
  readonly dataBase64: string;
}

/** Describes an image with the agent's model (implemented by the agent stage). */
export type ImageDescriber = (req: {
  agentId: string;
  prompt: string;
  image: ImageInput;
  signal: AbortSignal;
}) => Promise<string>;

/** Largest image sent to the model (bytes). */
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;

const ImageArgs = z.strictObject({
  path: z.string().min(1).describe("Image file in the workspace (PNG, JPEG, GIF or WebP)"),
  prompt: z.string().max(4000).optional().describe("What to look for (default: describe the image)"),
});

/** Detects the image type from its first bytes; undefined for anything else. */
export function sniffImage(buf: Buffer): ImageInput["mimeType"] | undefined {
  if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return "image/jpeg";
  if (buf.subarray(0, 4).toString("latin1") === "GIF8") return "image/gif";
  if (buf.subarray(0, 4).toString("latin1") === "RIFF" && buf.subarray(8, 12).toString("latin1") === "WEBP")
    return "image/webp";
  return undefined;
}

/** `image`: reads a workspace image inside the session's jail (like `read`) and asks the model to describe it. */
export function imageTool(files: ToolFiles, describe: ImageDescriber): ToolDefinition<z.infer<typeof ImageArgs>> {
  return {
    name: "image",
    description: "Look at an image file from the workspace and describe it (optionally answering a question about it).",
    parameters: ImageArgs,
    async execute(args, ctx) {
      const data = await readFileInJail(files, ctx, args.path, IMAGE_MAX_BYTES);
      const mimeType = sniffImage(data);
      if (!mimeType) return { content: `${args.path} is not a PNG, JPEG, GIF or WebP image`, isError: true };
      const text = await describe({
        agentId: ctx.agentId,
        prompt: args.prompt ?? "Describe this image.",
        image: { mimeType, dataBase64: data.toString("base64") },
        signal: ctx.signal,
      });
      return { content: text || "(the model returned no description)" };
    },
  };
}
