import { describeChannelContract } from "../../../test/support/channel-contract.js";
import { whatsappHarness } from "../../../test/support/contract-whatsapp.js";

describeChannelContract(whatsappHarness());
